// Diagnostics: every error and warning of a run, collected, then rendered together.
//
// Render format (golden tests compare it byte for byte):
//
//   PATH:LINE:COL: error: MESSAGE
//      3 | stage2 = 1/2 * stage1
//        |                ^~~~~~
//   note: NOTE
//   help: HELP
//
// - The source line is shown when its file was registered with add_source() (the
//   SourceFile overloads do that themselves) and LINE > 0. The line number is
//   right-aligned in a gutter of at least 4 characters, followed by " | ".
// - The caret sits under COL; `~` marks the rest of `length` code points (clipped to the
//   line). Before the caret every tab of the source line is copied as a tab, every other
//   character becomes one space, so the caret lines up in any tab width.
// - A diagnostic with LINE == 0 (e.g. an unreadable file) prints as `PATH: error: MESSAGE`.
// - Notes, then helps, each on its own line. No blank line between diagnostics.
// - Colour (ANSI) only with render(true); callers pass true only when stderr is a terminal.
// - Columns count UTF-8 code points; a tab counts as one column.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "grammar/source.h"

namespace sftx {

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string path;
  int line = 0;    // 1-based; 0 = no position
  int column = 0;  // 1-based, in code points
  int length = 1;  // code points underlined (caret + length-1 tildes)
  std::string message;
  std::vector<std::string> notes;
  std::vector<std::string> helps;

  Diagnostic& note(std::string text) { notes.push_back(std::move(text)); return *this; }
  Diagnostic& help(std::string text) { helps.push_back(std::move(text)); return *this; }
};

inline Diagnostic& with_help(Diagnostic& d, std::string text) { return d.help(std::move(text)); }
inline Diagnostic& with_note(Diagnostic& d, std::string text) { return d.note(std::move(text)); }

class Diagnostics {
 public:
  // Registers a file's text so render() can show its lines (replaces an earlier one).
  void add_source(std::string path, std::string text);
  void add_source(const SourceFile& file);
  const SourceFile* source(const std::string& path) const;

  // The returned reference is valid until the next diagnostic is added: attach notes and
  // helps right away (`diags.error(...).help("use stage1.data");`).
  Diagnostic& error(std::string path, int line, int column, std::string message, int length = 1);
  Diagnostic& warning(std::string path, int line, int column, std::string message, int length = 1);
  // At a range of a source file: line/column of range.begin, length = the range's code
  // points on its first line (at least 1). Registers the file for rendering if needed.
  Diagnostic& error(const SourceFile& file, SourceRange range, std::string message);
  Diagnostic& warning(const SourceFile& file, SourceRange range, std::string message);
  // An error about a whole file with no position (unreadable, not found).
  Diagnostic& error(std::string path, std::string message);

  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return diagnostics_.size() - errors_; }
  const std::vector<Diagnostic>& all() const { return diagnostics_; }
  bool empty() const { return diagnostics_.empty(); }
  Diagnostic& last() { return diagnostics_.back(); }  // the most recent; precondition: !empty()

  void sort(std::size_t from = 0);  // stable, by path, line, column; only all()[from..] when given
  std::string render(bool color = false) const;  // all, in order
  static std::string render_one(const Diagnostic& d, const SourceFile* file, bool color = false);

 private:
  Diagnostic& add(Severity s, std::string path, int line, int column, std::string message, int length);
  Diagnostic& add(Severity s, const SourceFile& file, SourceRange range, std::string message);

  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  std::map<std::string, SourceFile> sources_;
};

}  // namespace sftx
