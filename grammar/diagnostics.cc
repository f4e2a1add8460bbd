#include "grammar/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace sftx {

void Diagnostics::add_source(std::string path, std::string text) {
  std::string key = path;
  sources_.insert_or_assign(std::move(key), SourceFile(std::move(path), std::move(text)));
}

void Diagnostics::add_source(const SourceFile& file) { sources_.insert_or_assign(file.path(), file); }

const SourceFile* Diagnostics::source(const std::string& path) const {
  auto it = sources_.find(path);
  return it == sources_.end() ? nullptr : &it->second;
}

Diagnostic& Diagnostics::add(Severity s, std::string path, int line, int column, std::string message,
                             int length) {
  Diagnostic d;
  d.severity = s;
  d.path = std::move(path);
  d.line = line < 0 ? 0 : line;
  d.column = column < 1 ? 1 : column;
  d.length = length < 1 ? 1 : length;
  d.message = std::move(message);
  if (s == Severity::error) ++errors_;
  diagnostics_.push_back(std::move(d));
  return diagnostics_.back();
}

Diagnostic& Diagnostics::add(Severity s, const SourceFile& file, SourceRange range, std::string message) {
  auto it = sources_.find(file.path());
  // One path is one text within a run; comparing sizes catches a caller that reuses a path.
  if (it == sources_.end() || it->second.text().size() != file.text().size()) add_source(file);
  LineColumn lc = file.location(range.begin);
  return add(s, file.path(), lc.line, lc.column, std::move(message), file.display_length(range));
}

Diagnostic& Diagnostics::error(std::string path, int line, int column, std::string message, int length) {
  return add(Severity::error, std::move(path), line, column, std::move(message), length);
}
Diagnostic& Diagnostics::warning(std::string path, int line, int column, std::string message, int length) {
  return add(Severity::warning, std::move(path), line, column, std::move(message), length);
}
Diagnostic& Diagnostics::error(const SourceFile& file, SourceRange range, std::string message) {
  return add(Severity::error, file, range, std::move(message));
}
Diagnostic& Diagnostics::warning(const SourceFile& file, SourceRange range, std::string message) {
  return add(Severity::warning, file, range, std::move(message));
}
Diagnostic& Diagnostics::error(std::string path, std::string message) {
  return add(Severity::error, std::move(path), 0, 1, std::move(message), 1);
}

void Diagnostics::sort(std::size_t from) {
  if (from >= diagnostics_.size()) return;
  std::stable_sort(diagnostics_.begin() + static_cast<std::ptrdiff_t>(from), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.path, a.line, a.column) < std::tie(b.path, b.line, b.column);
  });
}

namespace {
const char* kBold = "\x1b[1m";
const char* kRed = "\x1b[1;31m";
const char* kMagenta = "\x1b[1;35m";
const char* kGreen = "\x1b[1;32m";
const char* kCyan = "\x1b[1;36m";
const char* kReset = "\x1b[0m";
}  // namespace

std::string Diagnostics::render_one(const Diagnostic& d, const SourceFile* file, bool color) {
  auto paint = [color](const char* code, const std::string& s) {
    return color ? std::string(code) + s + kReset : s;
  };
  std::string out;
  std::string where = d.path;
  if (d.line > 0) where += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
  out += paint(kBold, where + ":") + " ";
  out += d.severity == Severity::error ? paint(kRed, "error:") : paint(kMagenta, "warning:");
  out += " " + paint(kBold, d.message) + "\n";

  if (file && d.line > 0 && d.line <= file->line_count()) {
    std::string number = std::to_string(d.line);
    std::size_t width = std::max<std::size_t>(4, number.size());
    std::string_view text = file->line_text(d.line);
    out += std::string(width - number.size(), ' ') + number + " | " + std::string(text) + "\n";
    // Caret line: reproduce tabs so the caret lines up whatever the tab width.
    std::string pad;
    int col = 1;
    for (std::size_t i = 0; i < text.size() && col < d.column; ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if ((c & 0xC0) == 0x80) continue;  // continuation byte: same code point
      pad += c == '\t' ? '\t' : ' ';
      ++col;
    }
    while (col < d.column) { pad += ' '; ++col; }  // past the end of the line (e.g. at EOF)
    std::string marks = "^" + std::string(static_cast<std::size_t>(std::max(1, d.length) - 1), '~');
    out += std::string(width, ' ') + " | " + pad + paint(kGreen, marks) + "\n";
  }
  for (const auto& n : d.notes) out += paint(kCyan, "note:") + " " + n + "\n";
  for (const auto& h : d.helps) out += paint(kCyan, "help:") + " " + h + "\n";
  return out;
}

std::string Diagnostics::render(bool color) const {
  std::string out;
  for (const auto& d : diagnostics_) out += render_one(d, source(d.path), color);
  return out;
}

}  // namespace sftx
