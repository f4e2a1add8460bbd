// A repository file compiled into the binary, as bytes in .rodata.
//
// Data the scorers need (langdetect's profiles, Punkt's English model) is compiled in rather
// than read from a file at run time: the scorers run inside `sftx` wherever it is installed or
// copied (a Slurm node, a container) and in the test tools, and a data file found by a path
// relative to the executable is one more thing to install and to lose. The file itself stays
// the committed source, and the assembler's .incbin puts it in .rodata as it is: no generated
// C++ array to compile. The object that embeds a file must depend on it in CMakeLists.txt
// (OBJECT_DEPENDS: the compiler's dependency list does not name an .incbin), and ccache does
// not cache a translation unit with .incbin, so a changed file is never served stale.
//
//   SFTX_EMBED_FILE(punkt_abbrev, "third_party/punkt/english/abbrev_types.txt")
//   ... std::string_view bytes = SFTX_EMBEDDED(punkt_abbrev);
//
// At namespace scope, outside any namespace (the symbols are C symbols).
#pragma once

#include <string_view>

#ifndef SFTX_SOURCE_DIR
#error "SFTX_SOURCE_DIR (the repository root) must be defined: CMakeLists.txt defines it"
#endif

#define SFTX_EMBED_FILE(name, path)                                                                   \
  asm(".section .rodata.sftx_" #name ",\"a\",@progbits\n"                                             \
      ".balign 16\n"                                                                                  \
      "sftx_" #name "_begin:\n"                                                                       \
      ".incbin \"" SFTX_SOURCE_DIR "/" path "\"\n"                                                    \
      "sftx_" #name "_end:\n"                                                                         \
      ".previous\n");                                                                                 \
  extern "C" const char sftx_##name##_begin[] __asm__("sftx_" #name "_begin");                        \
  extern "C" const char sftx_##name##_end[] __asm__("sftx_" #name "_end")

#define SFTX_EMBEDDED(name) \
  std::string_view(sftx_##name##_begin, static_cast<size_t>(sftx_##name##_end - sftx_##name##_begin))
