// "did you mean 'threshold'?": the closest known name by edit distance.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/strings.h"

namespace sftx {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// adjacent characters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `name`, when near enough to be a plausible typo: distance at most
// max(1, |name| / 3), or `name` differs only in case. Ties go to the earlier candidate.
std::optional<std::string> closest_name(std::string_view name, const std::vector<std::string>& candidates);

using rt::join_names;  // "a, b, c" (runtime/base/strings.h), beside the suggestion it goes with

// "did you mean 'x'?" or "" when nothing is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace sftx
