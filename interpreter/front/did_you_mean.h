// "did you mean 'threshold'?": the closest known name by edit distance.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sftx {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// adjacent characters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `name`, when near enough to be a plausible typo: distance at most
// max(1, |name| / 3), or `name` differs only in case. Ties go to the earlier candidate.
std::optional<std::string> closest_name(std::string_view name, const std::vector<std::string>& candidates);

// "a, b, c": the known names a message lists after "known: ".
std::string join_names(const std::vector<std::string>& names);

// "did you mean 'x'?" or "" when nothing is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace sftx
