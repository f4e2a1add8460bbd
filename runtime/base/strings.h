// Plain string helpers that more than one layer needs (the synthetic generators, the tokenizer
// export), so they live once, below both.
#pragma once

#include <string>

namespace sftx::rt {

// Every occurrence of `from` in `s` replaced by `to`, left to right, never rescanning what was
// inserted; an empty `from` leaves `s` as it is.
inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

}  // namespace sftx::rt
