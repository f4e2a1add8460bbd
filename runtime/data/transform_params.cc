#include "runtime/data/transform_params.h"

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "runtime/data/data_error.h"

namespace sftx::rt {

namespace {
Fraction reduce(__int128 num, __int128 den) {
  if (den < 0) num = -num, den = -den;
  __int128 a = num < 0 ? -num : num, b = den;
  while (b) {
    __int128 t = a % b;
    a = b;
    b = t;
  }
  if (a > 1) num /= a, den /= a;
  if (num > INT64_MAX || num < INT64_MIN || den > INT64_MAX) throw std::invalid_argument("number too large");
  return {static_cast<int64_t>(num), static_cast<int64_t>(den)};
}

Fraction parse_decimal(const std::string& s) {
  // [-]digits[.digits][e[+-]digits]
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  __int128 num = 0, den = 1;
  bool any = false;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, any = true) num = num * 10 + (s[i] - '0');
  if (i < s.size() && s[i] == '.')
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, any = true) {
      num = num * 10 + (s[i] - '0');
      den *= 10;
      if (den > static_cast<__int128>(1e30)) throw std::invalid_argument("too many digits");
    }
  if (!any) throw std::invalid_argument("not a number: " + s);
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    int exp = std::stoi(s.substr(i + 1));
    if (exp > 30 || exp < -30) throw std::invalid_argument("exponent out of range");
    for (; exp > 0; --exp) num *= 10;
    for (; exp < 0; ++exp) den *= 10;
    i = s.size();
  }
  if (i != s.size()) throw std::invalid_argument("not a number: " + s);
  return reduce(neg ? -num : num, den);
}
}  // namespace

Fraction parse_fraction(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return parse_decimal(text);
  Fraction a = parse_decimal(text.substr(0, slash)), b = parse_decimal(text.substr(slash + 1));
  if (b.num == 0) throw std::invalid_argument("division by zero");
  return reduce(static_cast<__int128>(a.num) * b.den, static_cast<__int128>(a.den) * b.num);
}

TransformParams::TransformParams(std::string op, const nlohmann::json& params, std::initializer_list<const char*> allowed)
    : op_(std::move(op)), params_(params.is_null() ? nlohmann::json::object() : params) {
  if (!params_.is_object()) throw DataError(op_ + ": parameters must be a JSON object");
  for (auto it = params_.begin(); it != params_.end(); ++it) {
    bool ok = it.key() == "seed";
    std::string list;
    for (const char* a : allowed) {
      ok = ok || it.key() == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!ok) throw DataError(op_ + ": unknown parameter \"" + it.key() + "\" (expected " + (list.empty() ? "none" : list) + ")");
  }
}

const nlohmann::json* TransformParams::get(const std::string& name) const {
  auto it = params_.find(name);
  return it == params_.end() || it->is_null() ? nullptr : &*it;
}

bool TransformParams::has(const std::string& name) const { return get(name) != nullptr; }

void TransformParams::bad(const std::string& name, const std::string& expected) const {
  throw DataError(op_ + ": parameter \"" + name + "\" must be " + expected + ", not " + get(name)->dump());
}

Fraction TransformParams::fraction(const std::string& name, Fraction fallback) const {
  const nlohmann::json* v = get(name);
  if (!v) return fallback;
  try {
    if (v->is_number_integer()) return {v->get<int64_t>(), 1};
    if (v->is_number()) return parse_fraction(nlohmann::json(v->get<double>()).dump());
    if (v->is_string()) return parse_fraction(v->get<std::string>());
  } catch (const std::exception&) {
  }
  bad(name, "a number");
}

double TransformParams::number(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  Fraction f = fraction(name, {});
  return static_cast<double>(f.num) / static_cast<double>(f.den);
}

int64_t TransformParams::integer(const std::string& name, int64_t fallback) const {
  if (!has(name)) return fallback;
  Fraction f = fraction(name, {});
  if (f.den != 1) bad(name, "a whole number");
  return f.num;
}

bool TransformParams::boolean(const std::string& name, bool fallback) const {
  const nlohmann::json* v = get(name);
  if (!v) return fallback;
  if (!v->is_boolean()) bad(name, "true or false");
  return v->get<bool>();
}

std::string TransformParams::string(const std::string& name, const std::string& fallback) const {
  const nlohmann::json* v = get(name);
  if (!v) return fallback;
  if (!v->is_string()) bad(name, "a string");
  return v->get<std::string>();
}

std::vector<std::string> TransformParams::strings(const std::string& name) const {
  const nlohmann::json* v = get(name);
  if (!v) return {};
  if (v->is_string()) return {v->get<std::string>()};
  std::vector<std::string> out;
  if (!v->is_array()) bad(name, "a list of strings");
  for (const auto& e : *v) {
    if (!e.is_string()) bad(name, "a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace sftx::rt
