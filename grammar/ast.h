// The syntax tree of a .sftx file, as written (no names resolved, no numbers evaluated).
//
// Plain structs. An expression is an `Expr`: its source range plus a std::variant of the
// node kinds; walk it with std::visit or std::get_if. Children are held by value (vectors
// of Expr) or through Box<Expr>, a copyable owning pointer, so the whole tree copies and
// compares like a value. Every node carries a SourceRange (byte offsets into the
// SourceFile's text; SourceFile::location() turns one into line:column).
//
// Shapes produced by the parser (guaranteed, so the checker need not test for others):
// - `1/256` is Binary{'/', Number"1", Number"256"}; numbers keep their literal text.
// - `-x` is Unary{'-', x}. `+x` is not in the language.
// - `d |> f(a, k = v)` is Pipe{d, Call f(a, k = v)}; `d |> f` is Pipe{d, Call f()}.
// - `dmt(1/4).stage1.data` is Member{Member{Call dmt(...), "stage1"}, "data"}.
// - `(e)` is e itself, its range widened to include the parentheses.
// - A stage's `with` is always a Record expression.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "grammar/source.h"

namespace sftx {

// A copyable, never-null owning pointer (deep copy), for recursive nodes.
template <class T>
class Box {
 public:
  Box() : p_(std::make_unique<T>()) {}
  Box(T value) : p_(std::make_unique<T>(std::move(value))) {}  // NOLINT: implicit on purpose
  Box(const Box& o) : p_(std::make_unique<T>(*o.p_)) {}
  Box(Box&& o) noexcept = default;
  Box& operator=(const Box& o) { if (this != &o) p_ = std::make_unique<T>(*o.p_); return *this; }
  Box& operator=(Box&& o) noexcept = default;
  ~Box() = default;
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  T& get() { return *p_; }
  const T& get() const { return *p_; }

 private:
  std::unique_ptr<T> p_;  // null only after a move
};

struct Expr;

// ---- expressions ----
struct Number {
  std::string text;  // as written: "3", "0.03", "2e-5" (never a sign, never a '/')
};
struct String {
  std::string value;  // escapes already decoded
};
struct Bool {
  bool value = false;
};
struct Name {
  std::string name;
};
struct List {
  std::vector<Expr> items;
};
// `name = value` inside a record, `defaults { }` or `experiment { }`.
struct Field {
  std::string name;
  SourceRange name_range;
  Box<Expr> value;
  SourceRange range;  // name through value
};
struct Record {
  std::vector<Field> fields;
};
// `keyword = value` in a call.
struct KeywordArg {
  std::string name;
  SourceRange name_range;
  Box<Expr> value;
  SourceRange range;  // name through value
};
struct Call {
  std::string callee;
  SourceRange callee_range;
  std::vector<Expr> args;            // positional, in order
  std::vector<KeywordArg> keywords;  // keyword, in order (the parser reports positional-after-keyword)
};
struct Binary {
  char op = '*';  // one of '*' '/' '+' '-'
  SourceRange op_range;
  Box<Expr> lhs;
  Box<Expr> rhs;
};
struct Unary {
  char op = '-';
  Box<Expr> operand;
};
struct Pipe {
  Box<Expr> lhs;
  Box<Expr> call;  // always a Call node
};
struct Member {
  Box<Expr> object;
  std::string field;
  SourceRange field_range;
};
// `[element for var in iterable]`
struct Comprehension {
  Box<Expr> element;
  std::string var;
  SourceRange var_range;
  Box<Expr> iterable;
};

struct Expr {
  SourceRange range;
  std::variant<Number, String, Bool, Name, List, Record, Call, Binary, Unary, Pipe, Member, Comprehension> node;

  template <class T> bool is() const { return std::holds_alternative<T>(node); }
  template <class T> const T* as() const { return std::get_if<T>(&node); }
  template <class T> T* as() { return std::get_if<T>(&node); }
};

// ---- top-level items ----
struct UseDecl {  // use "file.sftx"
  std::string path;  // decoded string, as written (relative to the importing file)
  SourceRange path_range;
};
struct Binding {  // name = expr
  std::string name;
  SourceRange name_range;
  Expr value;
};
struct DefaultsBlock {  // defaults { key = value ... }
  std::vector<Field> fields;
};
struct Param {
  std::string name;
  SourceRange range;
};
struct Stage {  // stageN = DATA [with { ... }]
  std::string name;
  SourceRange name_range;
  Expr data;
  std::optional<Expr> with;  // always a Record when present
  SourceRange range;         // name through the end of the stage (incl. `with`)
};
struct PlanDecl {  // plan NAME(params) [from EXPR] { stages }
  std::string name;
  SourceRange name_range;
  std::vector<Param> params;
  bool has_param_list = false;  // `plan p() {...}` vs `plan p {...}`
  std::optional<Expr> from;
  std::vector<Stage> stages;  // in written order (the order they run in)
};
// A claim's reference PLAN.METRIC.FIELD: `dmt(1/256).ifeval.prompt_strict`.
struct ClaimRef {
  Expr plan;                 // a Name or a Call, as written in the experiment's `plans`
  std::string metric;        // "ifeval"
  SourceRange metric_range;
  std::string field;         // "prompt_strict", "pass@1"
  SourceRange field_range;
  SourceRange range;
};
// One term of a claim's side: [-] [NUMBER *] REF, or [-] NUMBER.
struct ClaimTerm {
  bool negative = false;     // written after '-' (or with a leading '-')
  std::string coefficient;   // the number as written; "" when the term is a bare reference
  SourceRange coefficient_range;
  std::optional<ClaimRef> ref;  // absent for a constant term
  SourceRange range;
};
// SIDE OP SIDE, OP one of "<" ">" "<=" ">=".
struct ClaimComparison {
  std::vector<ClaimTerm> lhs, rhs;
  SourceRange lhs_range, rhs_range;
  std::string op;
  SourceRange op_range;
  SourceRange range;
};
// expect "NAME" { COMPARISON and COMPARISON ... }
struct Claim {
  std::string name;
  SourceRange name_range;
  std::vector<ClaimComparison> comparisons;
  SourceRange range;
};

struct ExperimentDecl {  // experiment NAME { key = value ... expect "..." { ... } ... }
  std::string name;
  SourceRange name_range;
  std::vector<Field> fields;
  std::vector<Claim> claims;  // in written order
};

struct Item {
  SourceRange range;  // the whole item, from its first keyword/name to its end
  std::variant<UseDecl, Binding, DefaultsBlock, PlanDecl, ExperimentDecl> node;

  template <class T> bool is() const { return std::holds_alternative<T>(node); }
  template <class T> const T* as() const { return std::get_if<T>(&node); }
  template <class T> T* as() { return std::get_if<T>(&node); }
};

struct Program {
  std::string path;
  std::vector<Item> items;  // in source order
};

}  // namespace sftx
