// Reading a transform's keyword arguments from the JSON the interpreter passes. Numbers
// arrive as JSON numbers or as exact "num/den" strings (the language's rationals); lists of
// strings may be given as one string. Unknown or ill-typed parameters are DataErrors naming
// the transform, so a typo never silently changes what a transform does.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"

namespace sftx::rt {

class TransformParams {
 public:
  // allowed: the keyword names this op accepts ("seed" is always accepted).
  TransformParams(std::string op, const nlohmann::json& params, std::initializer_list<const char*> allowed);

  bool has(const std::string& name) const;
  double number(const std::string& name, double fallback) const;
  int64_t integer(const std::string& name, int64_t fallback) const;
  Fraction fraction(const std::string& name, Fraction fallback) const;  // exact
  bool boolean(const std::string& name, bool fallback) const;
  std::string string(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> strings(const std::string& name) const;  // empty when absent

 private:
  [[noreturn]] void bad(const std::string& name, const std::string& expected) const;
  const nlohmann::json* get(const std::string& name) const;
  std::string op_;
  nlohmann::json params_;
};

// Parses "3", "1/256", "0.85", "2e-5" exactly into a fraction (throws std::invalid_argument).
Fraction parse_fraction(const std::string& text);

}  // namespace sftx::rt
