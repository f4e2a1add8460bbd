// What a Jinja expression can do to values: operators, attribute and item access (with the
// methods of str and dict that chat templates call), filters, tests and the global functions
// transformers provides. Semantics follow jinja2 3.1 under ImmutableSandboxedEnvironment:
// a missing attribute or key is undefined, using an undefined value is an error, lists and
// dicts cannot be modified. Anything outside the supported set throws EvalError naming it.
#pragma once

#include <map>
#include <string>

#include "runtime/data/jinja/value.h"

namespace sftx::rt::jinja {

Value binary_op(const std::string& op, const Value& a, const Value& b);  // + - * / // % ** ~
bool compare_op(const std::string& op, const Value& a, const Value& b);  // == != < <= > >= in, not in
Value get_attribute(const Value& obj, const std::string& name);
Value get_item(const Value& obj, const Value& key);
Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step);
Value call_value(const Value& callee, Call& call);
Value apply_filter(const std::string& name, const Value& target, Call& call);
bool apply_test(const std::string& name, const Value& target, const Call& call);
// raise_exception, strftime_now, namespace, range, dict (the globals a chat template may call).
std::map<std::string, Value> global_functions();
// The error for using an undefined value in an operation.
[[noreturn]] void undefined_error(const Value& v);

}  // namespace sftx::rt::jinja
