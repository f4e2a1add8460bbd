// The value types of the language (contract §3), plus the internal ones built-ins return.
// Here, below the front end: the built-in table (builtins.h) describes its parameters with them,
// and the front end (interpreter/front) includes stdlib, never the other way round.
#pragma once

#include <cstdint>
#include <string>

namespace sftx {

enum class Type : std::uint8_t {
  unknown,     // the result of an expression that already had an error (silences cascades)
  number,      // exact rational
  string,
  boolean,
  list,
  record,
  data,        // a dataset expression
  model,       // a base model or a trained stage
  plan,        // a plan instance
  plan_def,    // a plan with parameters, not yet given its arguments
  metric,
  experiment,
  tokenizer,   // sentencepiece(...)
  method,      // lora(...), freeze(...)
};

// "Number", "Data", ...: as messages show them.
const char* type_name(Type t);

// A set of accepted types, for built-in parameters.
class TypeSet {
 public:
  TypeSet() = default;
  TypeSet(Type t) : bits_(bit(t)) {}  // NOLINT: a single type converts implicitly
  TypeSet operator|(TypeSet o) const { TypeSet s; s.bits_ = bits_ | o.bits_; return s; }
  bool contains(Type t) const { return t == Type::unknown || (bits_ & bit(t)) != 0; }
  bool empty() const { return bits_ == 0; }
  std::string str() const;  // "Data or String"

 private:
  static std::uint32_t bit(Type t) { return 1u << static_cast<unsigned>(t); }
  std::uint32_t bits_ = 0;
};
inline TypeSet operator|(Type a, Type b) { return TypeSet(a) | TypeSet(b); }

}  // namespace sftx
