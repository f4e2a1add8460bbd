// A Jinja template of the kind Hugging Face chat templates are, rendered as transformers'
// apply_chat_template renders them: jinja2's ImmutableSandboxedEnvironment with trim_blocks
// and lstrip_blocks, the loopcontrols extension (break, continue), transformers' tojson filter
// (ensure_ascii off, indent/separators/sort_keys), raise_exception(), strftime_now() and the
// {% generation %} tag. No Python and no jinja2 at run time: lexer.cc, parser.cc, render.cc, builtins.cc.
//
// The supported subset is what chat templates use: {{ }}, if/elif/else, for (loop.index0,
// index, first, last, length, revindex, previtem, nextitem, cycle; for ... if ...; for/else),
// set (names, tuples, namespace attributes, set blocks), macro, call blocks (caller()),
// break/continue, comments,
// whitespace control; literals, lists, dicts, tuples, attribute and item access, slicing,
// arithmetic, ~, comparisons, and/or/not, in/not in, conditional expressions, is-tests,
// filters and str/dict methods (builtins.h). Anything else — an unknown filter, test or tag,
// {% raw %}, {% include %}, {% filter %}, printf-style % — is an error naming it and the
// template's line and column, never a silently different rendering.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/data/jinja/value.h"

namespace sftx::rt::jinja {

// A parse or render failure, located: "NAME:LINE:COL: what\n  <source line>\n  <caret>".
struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Stmt;

class Template {
 public:
  // Parses `source`; `name` says where it came from in messages. Throws TemplateError.
  Template(const std::string& source, std::string name);
  // Renders with these variables (besides the global functions). Throws TemplateError.
  Text render(const std::map<std::string, Value>& variables) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string source_;  // normalised (lexer.h)
  std::shared_ptr<const std::vector<std::unique_ptr<Stmt>>> body_;
};

}  // namespace sftx::rt::jinja
