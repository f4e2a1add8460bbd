#include "runtime/data/json_array_reader.h"

#include "runtime/data/record_io.h"

#include <algorithm>

#include "runtime/base/json_scanner.h"
#include "runtime/data/data_error.h"

namespace sftx::rt {

namespace {
std::string size_text(size_t bytes) {
  return bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0 ? std::to_string(bytes >> 20) + " MiB"
                                                                      : std::to_string(bytes) + " bytes";
}
}  // namespace

JsonArrayReader::JsonArrayReader(const std::string& path, size_t chunk_bytes, size_t max_element_bytes)
    : path_(path),
      in_(require_regular_file(path), std::ios::binary),
      chunk_(std::max<size_t>(chunk_bytes, 1)),
      max_element_bytes_(max_element_bytes) {
  if (!in_) throw DataError(path, 0, "cannot open file");
}

int JsonArrayReader::peek() {
  if (pos_ >= buf_.size()) {
    buf_.resize(chunk_);
    in_.read(buf_.data(), static_cast<std::streamsize>(chunk_));
    buf_.resize(static_cast<size_t>(in_.gcount()));
    pos_ = 0;
    if (buf_.empty()) return -1;
  }
  return static_cast<unsigned char>(buf_[pos_]);
}

int JsonArrayReader::get() {
  int c = peek();
  if (c >= 0) {
    ++pos_;
    if (c == '\n') ++line_;
  }
  return c;
}

void JsonArrayReader::skip_ws() {
  for (int c = peek(); c == ' ' || c == '\t' || c == '\r' || c == '\n'; c = peek()) get();
}

void JsonArrayReader::fail(const std::string& what) const { throw DataError(path_, line_, what); }

bool JsonArrayReader::next(std::string& element, int64_t& line) {
  element.clear();
  if (state_ == State::done) return false;
  skip_ws();
  if (state_ == State::start) {
    if (peek() == 0xEF) {  // UTF-8 byte order mark
      get(), get(), get();
      skip_ws();
    }
    if (get() != '[') fail("expected a JSON array ('[') (container json)");
    state_ = State::first;
    skip_ws();
  }
  if (state_ == State::after_value) {
    int c = get();
    if (c == ']') {
      state_ = State::done;
    } else if (c != ',') {
      fail(c < 0 ? "unterminated JSON array (missing ']')" : "expected ',' or ']' after an array element");
    }
    skip_ws();
  } else if (peek() == ']') {  // empty array
    get();
    state_ = State::done;
  }
  if (state_ == State::done) {
    skip_ws();
    if (peek() >= 0) fail("unexpected text after the closing ']' of the JSON array");
    return false;
  }

  if (peek() == ']') fail("a ',' with no element after it before ']'");
  line = line_;
  JsonScanner scanner;
  for (;;) {
    int c = peek();
    if (c < 0) fail("unterminated JSON array (end of file inside an element)");
    if (!scanner.in_string() && scanner.depth() == 0 &&
        (c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n') && !element.empty())
      break;
    if (element.size() >= max_element_bytes_) {
      line_ = line;  // the error names where the element starts, not where reading stopped
      fail("array element " + std::to_string(index_) + " (0-based) is longer than " + size_text(max_element_bytes_) +
           " (a record this large is not a training example)");
    }
    get();
    element.push_back(static_cast<char>(c));
    JsonScanner::Byte kind = scanner.feed(static_cast<char>(c));
    if (kind == JsonScanner::Byte::unbalanced)
      fail("unbalanced '" + std::string(1, static_cast<char>(c)) + "' in an array element");
    if (kind == JsonScanner::Byte::close && scanner.depth() == 0) break;
    peak_ = std::max(peak_, buf_.size() + element.size());
  }
  peak_ = std::max(peak_, buf_.size() + element.size());
  state_ = State::after_value;
  ++index_;
  return true;
}

}  // namespace sftx::rt
