#include "interpreter/front/rational.h"

#include <cctype>
#include <limits>

namespace sftx {

namespace mp = boost::multiprecision;
using Int = mp::cpp_int;

namespace {

unsigned bit_length(const Int& v) {
  if (v == 0) return 0;
  return static_cast<unsigned>(mp::msb(mp::abs(v))) + 1;
}

void set_error(std::string* error, std::string message) {
  if (error) *error = std::move(message);
}

}  // namespace

Rational::Rational(long long value) : value_(value) {}

Rational Rational::fraction(long long num, long long den) {
  return Rational(Value(Int(num), Int(den)));
}

std::optional<Rational> Rational::bounded(Value v, std::string* error) {
  if (bit_length(mp::numerator(v)) > kMaxBits || bit_length(mp::denominator(v)) > kMaxBits) {
    set_error(error, "number too large: more than " + std::to_string(kMaxBits) +
                         " bits in its numerator or denominator");
    return std::nullopt;
  }
  return Rational(std::move(v));
}

std::optional<Rational> Rational::parse_literal(std::string_view text, std::string* error) {
  std::size_t i = 0;
  std::string mantissa;  // digits without the point
  int fraction_digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) mantissa += text[i++];
  if (mantissa.empty()) {
    set_error(error, "malformed number '" + std::string(text) + "'");
    return std::nullopt;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) mantissa += text[i++];
    fraction_digits = static_cast<int>(i - start);
    if (fraction_digits == 0) {
      set_error(error, "malformed number '" + std::string(text) + "': a digit must follow '.'");
      return std::nullopt;
    }
  }
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (exponent <= kMaxExponent) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) {
      set_error(error, "malformed number '" + std::string(text) + "': digits must follow the exponent");
      return std::nullopt;
    }
    if (exponent > kMaxExponent) {
      set_error(error, "exponent of '" + std::string(text) + "' out of range (at most " +
                           std::to_string(kMaxExponent) + " either way)");
      return std::nullopt;
    }
    if (negative) exponent = -exponent;
  }
  if (i != text.size()) {
    set_error(error, "malformed number '" + std::string(text) + "'");
    return std::nullopt;
  }
  if (mantissa.size() > kMaxLiteralDigits) {
    set_error(error, "number literal too long (more than " + std::to_string(kMaxLiteralDigits) +
                         " digits)");
    return std::nullopt;
  }
  // Leading zeros would make Boost read the digits as octal ("085" is not even that).
  std::size_t nonzero = mantissa.find_first_not_of('0');
  Int num(nonzero == std::string::npos ? std::string("0") : mantissa.substr(nonzero));
  long scale = exponent - fraction_digits;  // value = num * 10^scale
  Int ten_power = mp::pow(Int(10), static_cast<unsigned>(scale < 0 ? -scale : scale));
  Value v = scale >= 0 ? Value(num * ten_power) : Value(num, ten_power);
  return bounded(std::move(v), error);
}

std::optional<Rational> Rational::add(const Rational& a, const Rational& b, std::string* error) {
  return bounded(a.value_ + b.value_, error);
}
std::optional<Rational> Rational::sub(const Rational& a, const Rational& b, std::string* error) {
  return bounded(a.value_ - b.value_, error);
}
std::optional<Rational> Rational::mul(const Rational& a, const Rational& b, std::string* error) {
  return bounded(a.value_ * b.value_, error);
}
std::optional<Rational> Rational::div(const Rational& a, const Rational& b, std::string* error) {
  if (b.is_zero()) {
    set_error(error, "division by zero");
    return std::nullopt;
  }
  return bounded(a.value_ / b.value_, error);
}

Rational Rational::negated() const { return Rational(Value(-value_)); }

int Rational::sign() const { return value_.sign(); }

bool Rational::is_integer() const { return mp::denominator(value_) == 1; }

Rational Rational::floor() const {
  Int num = mp::numerator(value_);
  Int den = mp::denominator(value_);
  Int q = num / den;  // truncates toward zero
  if (num < 0 && q * den != num) q -= 1;
  return Rational(Value(q));
}

std::string Rational::str() const {
  if (is_integer()) return mp::numerator(value_).str();
  return fraction_str();
}

std::string Rational::fraction_str() const {
  return mp::numerator(value_).str() + "/" + mp::denominator(value_).str();
}

std::optional<std::string> Rational::decimal_str(int max_digits) const {
  Int num = mp::numerator(value_);
  Int den = mp::denominator(value_);
  bool negative = num < 0;
  if (negative) num = -num;
  Int integer_part = num / den;
  Int rest = num % den;
  std::string digits;
  for (int i = 0; rest != 0; ++i) {
    if (i >= max_digits) return std::nullopt;
    rest *= 10;
    digits += static_cast<char>('0' + static_cast<int>(rest / den));
    rest %= den;
  }
  std::string out = (negative ? "-" : "") + integer_part.str();
  if (!digits.empty()) out += "." + digits;
  return out;
}

std::optional<rt::Fraction> Rational::to_fraction() const {
  const Int& num = mp::numerator(value_);
  const Int& den = mp::denominator(value_);
  const Int max = std::numeric_limits<int64_t>::max();
  const Int min = std::numeric_limits<int64_t>::min();
  if (num > max || num < min || den > max) return std::nullopt;
  return rt::Fraction{num.convert_to<int64_t>(), den.convert_to<int64_t>()};
}

std::optional<int64_t> Rational::to_int64() const {
  if (!is_integer()) return std::nullopt;
  auto f = to_fraction();
  if (!f) return std::nullopt;
  return f->num;
}

double Rational::to_double() const { return value_.convert_to<double>(); }

}  // namespace sftx
