#include "interpreter/exec/fraction_param.h"

#include <stdexcept>
#include <string>

namespace sftx::exec {

rt::Fraction parse_fraction(const nlohmann::json& v) {
  auto bad = [&]() { return std::invalid_argument("not an exact ratio: " + v.dump()); };
  if (v.is_number_integer()) return {v.get<int64_t>(), 1};
  if (!v.is_string()) throw bad();
  std::string s = v.get<std::string>();
  auto slash = s.find('/');
  try {
    size_t used = 0;
    rt::Fraction f;
    f.num = std::stoll(s.substr(0, slash), &used);
    if (used != (slash == std::string::npos ? s.size() : slash)) throw bad();
    if (slash != std::string::npos) {
      f.den = std::stoll(s.substr(slash + 1), &used);
      if (used != s.size() - slash - 1 || f.den <= 0) throw bad();
    }
    return f;
  } catch (const std::logic_error&) {
    throw bad();
  }
}

}  // namespace sftx::exec
