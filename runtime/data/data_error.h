// The error a user's data causes: a malformed line, a missing field, an unknown format.
// what() is always "PATH:LINE: what is wrong" (or "PATH: ..." when no line applies), so the
// command line can print it as is and exit 1.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace sftx::rt {

class DataError : public std::runtime_error {
 public:
  explicit DataError(const std::string& message) : std::runtime_error(message) {}
  DataError(const std::string& path, int64_t line, const std::string& message)
      : std::runtime_error(path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message) {}
};

}  // namespace sftx::rt
