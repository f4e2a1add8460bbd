// Plain string helpers that more than one layer needs (the synthetic generators, the tokenizer
// export, every "known: ..." list of an error message), so they live once, below all of them.
#pragma once

#include <string>
#include <vector>

namespace sftx::rt {

// Every occurrence of `from` in `s` replaced by `to`, left to right, never rescanning what was
// inserted; an empty `from` leaves `s` as it is.
inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

// "a, b, c": the known names an error message lists after "known: ".
inline std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

}  // namespace sftx::rt
