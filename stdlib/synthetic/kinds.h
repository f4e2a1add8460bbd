// The kinds of synthetic(...) and the difficulty levels each has: one table, read by the
// runtime's generators (synthetic.cc) and by the checker (stdlib/builtins.cc, the `kind` and
// `level` choices). Header-only so the front end, which does not link the generators, reads
// the same table.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace sftx::rt::synth {

struct SyntheticKind {
  std::string name;
  std::vector<std::string> levels;  // "paper" first
};

inline const std::vector<SyntheticKind>& synthetic_kind_table() {
  static const std::vector<SyntheticKind> kinds = {
      {"math", {"paper", "micro", "micro2"}},        {"code", {"paper", "micro", "micro2"}},
      {"general", {"paper", "micro", "micro2"}},     {"pretrain", {"paper"}},  // pretraining text has one level
      {"gsm8k_test", {"paper", "micro", "micro2"}},  {"humaneval_test", {"paper", "micro", "micro2"}},
      {"ifeval_test", {"paper", "micro", "micro2"}},
  };
  return kinds;
}

// The kinds generate_synthetic accepts, in a stable order.
inline const std::vector<std::string>& synthetic_kinds() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& k : synthetic_kind_table()) out.push_back(k.name);
    return out;
  }();
  return names;
}

// The difficulty levels, "paper" first (the default).
inline const std::vector<std::string>& synthetic_levels() {
  static const std::vector<std::string> levels = {"paper", "micro", "micro2"};
  return levels;
}

// Whether `kind` has a generator at `level`.
inline bool synthetic_kind_has_level(const std::string& kind, const std::string& level) {
  for (const auto& k : synthetic_kind_table())
    if (k.name == kind) return std::find(k.levels.begin(), k.levels.end(), level) != k.levels.end();
  return false;
}

}  // namespace sftx::rt::synth
