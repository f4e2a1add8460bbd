// JSON text read one byte at a time: whether the byte is inside a string (escapes followed)
// and how deeply the arrays and objects around it nest. The one place these rules live: the
// depth guard (json_depth.h) and the streaming array reader (runtime/data/json_array_reader.h)
// both feed their bytes through it. It does not validate the JSON: the parser does that.
#pragma once

#include <cstddef>

namespace sftx::rt {

class JsonScanner {
 public:
  enum class Byte {
    other,      // string contents, quotes, scalars, separators, whitespace
    open,       // '[' or '{' outside strings: depth() has grown by one
    close,      // ']' or '}' outside strings closing one: depth() has shrunk by one
    unbalanced  // ']' or '}' outside strings with nothing open: depth() stays 0
  };

  Byte feed(char c) {
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
      return Byte::other;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '[' || c == '{') {
      ++depth_;
      return Byte::open;
    } else if (c == ']' || c == '}') {
      if (depth_ == 0) return Byte::unbalanced;
      --depth_;
      return Byte::close;
    }
    return Byte::other;
  }

  size_t depth() const { return depth_; }
  bool in_string() const { return in_string_; }

 private:
  size_t depth_ = 0;
  bool in_string_ = false, escaped_ = false;
};

}  // namespace sftx::rt
