// The syntax tree of a Jinja template: what parser.cc builds and render.cc walks. Every node
// keeps the byte offset it starts at, so that a failure names the template's line and column.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/data/jinja/value.h"

namespace sftx::rt::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    literal,   // value
    name,      // name
    list,      // items
    tuple,     // items
    dict,      // items: key0, value0, key1, value1, ...
    getattr,   // target.name
    getitem,   // target[items[0]]
    slice,     // target[items[0]:items[1]:items[2]] (null parts omitted)
    call,      // target(items..., kwargs...)
    filter,    // target | name(items..., kwargs...)
    test,      // target is [not] name(items...)
    unary,     // name ("not", "-", "+") target
    binary,    // items[0] name items[1]; name in + - * / // % ** ~ and or
    compare,   // items[0] ops[0] items[1] ops[1] items[2] ...
    cond,      // items[0] if items[1] else items[2] (items[2] null: undefined)
  };
  Kind kind;
  size_t pos = 0;
  Value value;
  std::string name;
  ExprPtr target;
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
  bool negated = false;
};

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;

struct Stmt {
  enum class Kind {
    text,        // text
    output,      // {{ expr }}
    if_,         // branches: (condition, body); a null condition is the else
    for_,        // for names in expr [if filter]: body [else: else_body]
    set,         // set names = expr; with attr: set names[0].attr = expr
    set_block,   // set names[0] %} body {% endset
    macro,       // macro name(params) body
    break_,
    continue_,
    generation,  // transformers' {% generation %} ... {% endgeneration %}: renders its body
    call_block,  // call[(params)] expr: body (the macro call in expr gets caller() = body)
  };
  Kind kind;
  size_t pos = 0;
  std::string text;
  ExprPtr expr;
  std::vector<std::pair<ExprPtr, Body>> branches;
  std::vector<std::string> names;
  bool unpack = false;  // names came as a tuple (for a, b in ...), even a one-element one
  std::string attr;
  ExprPtr filter;
  Body body, else_body;
  std::string name;
  std::vector<std::pair<std::string, ExprPtr>> params;  // macro (or caller) parameters and defaults
};

// Parses a normalised template (lexer.h); throws ParseFailure.
Body parse_template(const std::string& normalized_source);

}  // namespace sftx::rt::jinja
