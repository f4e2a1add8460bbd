#include "grammar/diagnostics.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>
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

namespace {

// Widest excerpt of a source line shown under a diagnostic, in characters: a 10 MB line must
// not become 10 MB of stderr. Longer lines show a window around the caret, cut with "...".
constexpr int kExcerptColumns = 120;

bool is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

// Control bytes (a terminal would obey them) and bytes that are not UTF-8, as \xNN.
std::string escaped_byte(unsigned char c) {
  static const char* hex = "0123456789ABCDEF";
  return std::string("\\x") + hex[c >> 4] + hex[c & 15];
}

bool valid_utf8_unit(std::string_view u) {
  unsigned char c = static_cast<unsigned char>(u[0]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n != u.size()) return false;
  if (n == 2 && c < 0xC2) return false;  // overlong
  if (n == 3 && ((c == 0xE0 && static_cast<unsigned char>(u[1]) < 0xA0) || (c == 0xED && static_cast<unsigned char>(u[1]) > 0x9F)))
    return false;  // overlong, surrogate
  if (n == 4 && (c > 0xF4 || (c == 0xF0 && static_cast<unsigned char>(u[1]) < 0x90) || (c == 0xF4 && static_cast<unsigned char>(u[1]) > 0x8F)))
    return false;
  return true;
}

// One column of a source line as diagnostics count them (a lead byte and its continuation
// bytes), as shown: itself, or escaped when it is a control byte or not UTF-8. It refers to
// the line's bytes (no string per column: a diagnostic on a long line made thousands).
struct ShownColumn {
  std::uint32_t begin = 0, size = 0;  // its bytes in the line
  bool tab = false;
  bool escaped = false;
  int width = 1;  // terminal columns (an escape takes 4 per byte)
};

std::vector<ShownColumn> shown_columns(std::string_view line) {
  std::vector<ShownColumn> out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size();) {
    std::size_t j = i + 1;
    while (j < line.size() && j - i < 4 && (static_cast<unsigned char>(line[j]) & 0xC0) == 0x80) ++j;
    std::string_view unit = line.substr(i, j - i);
    ShownColumn c;
    c.begin = static_cast<std::uint32_t>(i);
    c.size = static_cast<std::uint32_t>(j - i);
    c.tab = unit == "\t";
    if (!valid_utf8_unit(unit) || is_control(static_cast<unsigned char>(unit[0]))) {
      c.escaped = true;
      c.width = static_cast<int>(4 * unit.size());
    }
    out.push_back(c);
    i = j;
  }
  return out;
}

void append_shown(std::string& out, std::string_view line, const ShownColumn& c) {
  if (!c.escaped) {
    out.append(line.data() + c.begin, c.size);
  } else {
    for (std::uint32_t k = 0; k < c.size; ++k) out += escaped_byte(static_cast<unsigned char>(line[c.begin + k]));
  }
}

// The message text, safe for a terminal: control bytes and non-UTF-8 bytes escaped.
std::string terminal_safe(const std::string& text) {
  bool plain = true;  // printable ASCII and tabs only (most messages): nothing to escape
  for (char ch : text) {
    unsigned char b = static_cast<unsigned char>(ch);
    if (b >= 0x80 || is_control(b)) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  std::string out;
  for (const auto& c : shown_columns(text)) append_shown(out, text, c);
  return out;
}

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
  out += " " + paint(kBold, terminal_safe(d.message)) + "\n";

  if (file && d.line > 0 && d.line <= file->line_count()) {
    std::string number = std::to_string(d.line);
    std::size_t width = std::max<std::size_t>(4, number.size());
    std::string_view line = file->line_text(d.line);
    std::vector<ShownColumn> columns = shown_columns(line);
    const int total = static_cast<int>(columns.size());
    const int caret = d.column - 1;  // 0-based; may be past the end of the line (e.g. at EOF)
    // The columns shown: all of a short line; a window around the caret in a long one.
    int first = 0, last = total;
    if (total > kExcerptColumns) {
      first = std::clamp(caret - kExcerptColumns / 2, 0, total - kExcerptColumns);
      last = first + kExcerptColumns;
    }
    std::string shown = first > 0 ? "..." : "";
    std::string pad = first > 0 ? "   " : "";
    for (int i = first; i < last; ++i) {
      const ShownColumn& c = columns[static_cast<std::size_t>(i)];
      append_shown(shown, line, c);
      // Caret line: reproduce tabs so the caret lines up whatever the tab width.
      if (i < caret) {
        if (c.tab) pad += '\t';
        else pad.append(static_cast<std::size_t>(c.width), ' ');
      }
    }
    if (last < total) shown += "...";
    if (caret > last) pad += std::string(static_cast<std::size_t>(caret - last), ' ');
    out += std::string(width - number.size(), ' ') + number + " | " + shown + "\n";
    const int room = caret < last ? last - caret : 1;
    std::string marks = "^" + std::string(static_cast<std::size_t>(std::clamp(d.length, 1, room) - 1), '~');
    out += std::string(width, ' ') + " | " + pad + paint(kGreen, marks) + "\n";
  }
  for (const auto& n : d.notes) out += paint(kCyan, "note:") + " " + terminal_safe(n) + "\n";
  for (const auto& h : d.helps) out += paint(kCyan, "help:") + " " + terminal_safe(h) + "\n";
  return out;
}

std::string Diagnostics::render(bool color) const {
  std::string out;
  for (const auto& d : diagnostics_) out += render_one(d, source(d.path), color);
  return out;
}

}  // namespace sftx
