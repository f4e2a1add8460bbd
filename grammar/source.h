// A .sftx source text and the positions inside it.
//
// Every AST node carries a SourceRange: half-open byte offsets [begin, end) into
// SourceFile::text. Line and column are computed on demand from a line table, so ranges
// stay two integers. Lines and columns are 1-based; a column counts UTF-8 code points
// (a tab is one column), which is what an editor's "go to line:column" expects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sftx {

struct SourceRange {
  std::uint32_t begin = 0;  // byte offset of the first byte
  std::uint32_t end = 0;    // byte offset one past the last byte (== begin for an empty range)

  std::uint32_t size() const { return end - begin; }
  bool empty() const { return end == begin; }
  bool contains(std::uint32_t offset) const { return offset >= begin && offset < end; }
  // The smallest range covering both.
  static SourceRange cover(SourceRange a, SourceRange b) {
    return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
  friend bool operator==(SourceRange a, SourceRange b) { return a.begin == b.begin && a.end == b.end; }
  friend bool operator!=(SourceRange a, SourceRange b) { return !(a == b); }
};

struct LineColumn {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in UTF-8 code points
};

// Counts UTF-8 code points in `bytes` (continuation bytes 10xxxxxx are not counted, so
// malformed UTF-8 still gives a sensible, never-negative number).
inline int count_code_points(std::string_view bytes) {
  int n = 0;
  for (unsigned char c : bytes) n += (c & 0xC0) != 0x80;
  return n;
}

class SourceFile {
 public:
  SourceFile() { index_lines(); }
  SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
    index_lines();
  }

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  std::string_view slice(SourceRange r) const {
    std::size_t b = r.begin < text_.size() ? r.begin : text_.size();
    std::size_t e = r.end < text_.size() ? r.end : text_.size();
    return std::string_view(text_).substr(b, e > b ? e - b : 0);
  }

  int line_count() const { return static_cast<int>(line_starts_.size()); }

  // Line and column of a byte offset (offsets past the end map to the end of the text).
  LineColumn location(std::uint32_t offset) const {
    if (offset > text_.size()) offset = static_cast<std::uint32_t>(text_.size());
    // Last line start <= offset.
    std::size_t lo = 0, hi = line_starts_.size();
    while (hi - lo > 1) {
      std::size_t mid = (lo + hi) / 2;
      if (line_starts_[mid] <= offset) lo = mid; else hi = mid;
    }
    LineColumn lc;
    lc.line = static_cast<int>(lo) + 1;
    lc.column = 1 + count_code_points(std::string_view(text_).substr(line_starts_[lo], offset - line_starts_[lo]));
    return lc;
  }
  LineColumn begin_of(SourceRange r) const { return location(r.begin); }

  // The text of a 1-based line without its line ending ("" for a line out of range).
  std::string_view line_text(int line) const {
    if (line < 1 || line > line_count()) return {};
    std::size_t b = line_starts_[static_cast<std::size_t>(line - 1)];
    std::size_t e = line < line_count() ? line_starts_[static_cast<std::size_t>(line)] : text_.size();
    std::string_view s = std::string_view(text_).substr(b, e - b);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  }

  // Length of a range in code points, clipped to the end of its first line (a caret
  // underline never runs past the line it starts on); at least 1.
  int display_length(SourceRange r) const {
    LineColumn lc = location(r.begin);
    std::string_view line = line_text(lc.line);
    std::size_t line_begin = line_starts_[static_cast<std::size_t>(lc.line - 1)];
    std::size_t b = r.begin - line_begin;
    std::size_t e = r.end > r.begin ? r.end - line_begin : b;
    if (b > line.size()) b = line.size();
    if (e > line.size()) e = line.size();
    int n = count_code_points(line.substr(b, e - b));
    return n > 0 ? n : 1;
  }

 private:
  void index_lines() {
    line_starts_.clear();
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i)
      if (text_[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }

  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;  // byte offset where each line begins
};

}  // namespace sftx
