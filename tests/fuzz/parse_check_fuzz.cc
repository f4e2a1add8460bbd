// libFuzzer target: any bytes, parsed (and with SFTX_FUZZ_CHECK, then checked), must give diagnostics, never a
// crash, hang, sanitizer report or escaping exception (contract §7).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "grammar/ast_print.h"
#include "grammar/parser.h"
#ifndef SFTX_FUZZ_CHECK
#define SFTX_FUZZ_CHECK 0
#endif
#if SFTX_FUZZ_CHECK
#include "interpreter/front/check.h"
#endif

#if SFTX_FUZZ_CHECK
namespace {

// An empty directory for the input's imports and sftx.toml discovery: `use "x.sftx"` then
// finds nothing (a diagnostic), and no sftx.toml of the developer's tree is read.
const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() / ("sftx_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

}  // namespace
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sftx::SourceFile source("fuzz.sftx", std::string(reinterpret_cast<const char*>(data), size));

  sftx::Diagnostics diags;
  auto program = sftx::parse(source, diags);
  if (!program) __builtin_trap();  // parse() always returns a program
  // Replaying by hand (or comparing two builds of the parser over a corpus): SFTX_FUZZ_PRINT=1
  // prints the parse's diagnostics, the AST and (parse_check_fuzz) the checker's diagnostics.
  static const bool print = std::getenv("SFTX_FUZZ_PRINT") != nullptr;
  std::string ast = sftx::to_text(*program);  // every AST node must be well formed
  // The renderer must cope with whatever positions came out. With the checker, the parse's
  // diagnostics are rendered once, at the end, with the checker's (they stay in `diags`).
  if (!SFTX_FUZZ_CHECK || print) {
    std::string parse_rendered = diags.render();
    if (print) std::fprintf(stderr, "%s--- ast\n%s\n", parse_rendered.c_str(), ast.c_str());
  }

#if SFTX_FUZZ_CHECK
  // What was parsed is checked (check_parsed is check_text after its parse: the input is
  // parsed once, not twice), its diagnostics added to the parse's.
  bool had_syntax_errors = diags.error_count() > 0;
  try {
    (void)sftx::check_parsed(std::move(source), std::move(*program), had_syntax_errors, scratch_dir(), diags);
  } catch (...) {
    __builtin_trap();  // an exception escaping the checker would reach the user raw
  }
  std::string rendered = diags.render();
  if (print) std::fprintf(stderr, "--- check\n%s", rendered.c_str());
#endif
  return 0;
}
