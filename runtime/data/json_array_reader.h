// Streams the elements of a file holding one JSON array ("[{...}, {...}, ...]"), the
// container many public datasets ship (alpaca_data.json, ShareGPT dumps).
//
// Memory bound: the reader keeps one read chunk (chunk_bytes, 64 KiB by default, as
// LineReader) plus the text of the element being returned, never the whole array. It finds element boundaries
// itself (bracket depth, strings and escapes through runtime/base/json_scanner.h) and hands each element's text to the
// caller to parse, so a 2 GB array of 2 KB records needs about 64 KiB + 2 KB, and a malformed
// element can be reported (or skipped) with its line while the rest of the file still reads.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "runtime/data/record_io.h"

namespace sftx::rt {

class JsonArrayReader {
 public:
  // max_element_bytes bounds one element's text as kMaxLineBytes bounds a JSONL line: without
  // it, a file that is one huge element is held whole (the memory bound above is then the file).
  explicit JsonArrayReader(const std::string& path, size_t chunk_bytes = 1 << 16,
                           size_t max_element_bytes = kMaxLineBytes);
  // The next element's JSON text and the line it starts on; false after the closing ']'.
  // Throws DataError when the container itself is malformed (no '[', a missing ',', EOF
  // before ']') or an element is longer than max_element_bytes ("PATH:LINE: array element N
  // (0-based) is longer than ..."): the element boundaries are then unknown, so that cannot
  // be skipped.
  bool next(std::string& element, int64_t& line);
  // Most bytes held at once (read buffer plus element text): what the memory bound is about.
  size_t peak_bytes() const { return peak_; }

 private:
  int peek();  // -1 at end of file
  int get();
  void skip_ws();
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  std::ifstream in_;
  size_t chunk_;
  size_t max_element_bytes_;
  int64_t index_ = 0;  // of the next element
  std::string buf_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  size_t peak_ = 0;
  enum class State { start, first, after_value, done } state_ = State::start;
};

}  // namespace sftx::rt
