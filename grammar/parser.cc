#include "grammar/parser.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>

#include <tao/pegtl.hpp>

#include "grammar/ast_builder.h"
#include "grammar/control.h"
#include "grammar/grammar.h"
#include "grammar/parse_state.h"
#include "grammar/parse_tree.h"

namespace sftx {

std::optional<Program> parse(const SourceFile& file, Diagnostics& diags) {
  namespace p = tao::pegtl;
  if (!diags.source(file.path())) diags.add_source(file);
  Program program;
  program.path = file.path();
  if (file.text().size() > kMaxSourceBytes) {
    diags.error(file.path(), "file is too large to parse (" + std::to_string(file.text().size()) +
                                 " bytes; the limit is " + std::to_string(kMaxSourceBytes) + ")");
    return program;
  }
  grammar::ParseState ps(file, diags);
  std::size_t first_diagnostic = diags.all().size();
  try {
    // A UTF-8 byte order mark is not part of the program (offsets still count from the file's start).
    const char* start = file.text().compare(0, 3, "\xEF\xBB\xBF") == 0 ? ps.begin + 3 : ps.begin;
    p::memory_input<p::tracking_mode::lazy> in(start, ps.end, "");
    auto root = grammar::parse_tree<grammar::file, grammar::selector, grammar::control>(in, ps);
    if (root) grammar::build_program(*root, ps, program);
  } catch (const p::parse_error&) {
    // Every must<> sits inside a statement's recovering<>; an error escaping it is already
    // recorded (report_expected runs before the throw). Keep what was built.
    if (!diags.has_errors()) diags.error(file.path(), 0, 0, "syntax error");
  } catch (const std::bad_alloc&) {
    diags.error(file.path(), "out of memory while parsing");
  } catch (const std::exception& e) {
    diags.error(file.path(), std::string("internal error while parsing: ") + e.what());
  }
  diags.sort(first_diagnostic);  // recovery can find a later error before an earlier one
  return program;
}

std::optional<Program> parse_file(const std::string& path, Diagnostics& diags, SourceFile* source_out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    diags.error(path, "cannot open file: " + (ec ? ec.message() : std::string("No such file or directory")));
    return std::nullopt;
  }
  if (fs::is_directory(status)) {
    diags.error(path, "cannot read file: it is a directory");
    return std::nullopt;
  }
  if (!fs::is_regular_file(status)) {  // a device or pipe could be endless (use "/dev/zero")
    diags.error(path, "cannot read file: not a regular file");
    return std::nullopt;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    diags.error(path, std::string("cannot open file: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char chunk[1 << 16];
  while (f.read(chunk, sizeof chunk) || f.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(f.gcount()));
    if (text.size() > kMaxSourceBytes) {
      diags.error(path, "file is too large to parse (more than " + std::to_string(kMaxSourceBytes) + " bytes)");
      return std::nullopt;
    }
  }
  if (f.bad()) {
    diags.error(path, "cannot read file");
    return std::nullopt;
  }
  SourceFile file(path, std::move(text));
  auto program = parse(file, diags);
  if (source_out) *source_out = std::move(file);
  return program;
}

}  // namespace sftx
