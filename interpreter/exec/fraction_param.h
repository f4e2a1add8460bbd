// Ratios in plan params are exact "num/den" strings (contract §4); the runtime takes them as
// rt::Fraction.
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/api.h"

namespace sftx::exec {

// "1/256" -> {1, 256}; "3" or 3 -> {3, 1}. Throws std::invalid_argument otherwise.
rt::Fraction parse_fraction(const nlohmann::json& v);

}  // namespace sftx::exec
