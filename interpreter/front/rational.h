// Exact rational numbers: the only numbers of the language (contract §2).
//
// `2e-5`, `0.03` and `1/256` are exact, and `1/2 * 1/128 == 1/256` holds. Sizes are bounded
// (decimal exponents within ±kMaxExponent, numerator and denominator within kMaxBits bits)
// so that no input, however hostile, makes arithmetic hang or exhaust memory: an operation
// whose result would exceed the bound reports an error instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>

#include "runtime/api.h"

namespace sftx {

class Rational {
 public:
  static constexpr int kMaxExponent = 400;   // |e| in a literal like 1e-400
  static constexpr unsigned kMaxBits = 4096; // of numerator and of denominator
  static constexpr std::size_t kMaxLiteralDigits = 1000;

  Rational() = default;
  Rational(long long value);  // NOLINT: integers convert implicitly, as in the language
  static Rational fraction(long long num, long long den);  // den != 0

  // Parses a number literal as the lexer gives it: digits, optional `.digits`, optional
  // `e[+-]digits`. Returns nullopt and sets *error on malformed or oversized literals.
  static std::optional<Rational> parse_literal(std::string_view text, std::string* error);

  // Checked arithmetic: nullopt (and *error) on division by zero or a result above kMaxBits.
  static std::optional<Rational> add(const Rational& a, const Rational& b, std::string* error);
  static std::optional<Rational> sub(const Rational& a, const Rational& b, std::string* error);
  static std::optional<Rational> mul(const Rational& a, const Rational& b, std::string* error);
  static std::optional<Rational> div(const Rational& a, const Rational& b, std::string* error);
  Rational negated() const;

  int sign() const;
  bool is_integer() const;
  bool is_zero() const { return sign() == 0; }
  Rational floor() const;

  // "3", "-1/256": the shortest exact form, as the plan prints ratios.
  std::string str() const;
  // Always "num/den" ("3/1"), the canonical form inside graph params and keys.
  std::string fraction_str() const;
  // "0.00002" when the value has a finite decimal expansion of at most max_digits digits after
  // the point, else nullopt. Used to print hyperparameters the way users write them.
  std::optional<std::string> decimal_str(int max_digits = 30) const;

  // The runtime's int64 ratio; nullopt when numerator or denominator does not fit.
  std::optional<rt::Fraction> to_fraction() const;
  std::optional<int64_t> to_int64() const;  // integers only
  double to_double() const;

  friend bool operator==(const Rational& a, const Rational& b) { return a.value_ == b.value_; }
  friend bool operator!=(const Rational& a, const Rational& b) { return a.value_ != b.value_; }
  friend bool operator<(const Rational& a, const Rational& b) { return a.value_ < b.value_; }
  friend bool operator<=(const Rational& a, const Rational& b) { return a.value_ <= b.value_; }
  friend bool operator>(const Rational& a, const Rational& b) { return a.value_ > b.value_; }
  friend bool operator>=(const Rational& a, const Rational& b) { return a.value_ >= b.value_; }

 private:
  using Value = boost::multiprecision::cpp_rational;
  explicit Rational(Value v) : value_(std::move(v)) {}
  static std::optional<Rational> bounded(Value v, std::string* error);
  Value value_;
};

}  // namespace sftx
