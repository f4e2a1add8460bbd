// Parsing .sftx text into a Program.
//
// Errors never stop the parse: the parser reports one, skips to the next line that can
// start a top-level item (or, inside a plan, the next stage line) and goes on, so every
// syntax error of a file comes out of one pass. It never throws, never recurses deeper
// than kMaxNestingDepth levels of brackets/operators (deeper input is a diagnostic), and
// always terminates.
#pragma once

#include <optional>
#include <string>

#include "grammar/ast.h"
#include "grammar/diagnostics.h"
#include "grammar/source.h"

namespace sftx {

inline constexpr int kMaxNestingDepth = 200;
inline constexpr std::size_t kMaxSourceBytes = 64u << 20;  // larger files are refused

// Parses `file`. Always returns a Program (optional only for symmetry with parse_file):
// the items that parsed, also when there were errors (check diags.has_errors()). A
// statement with a syntax error is left out; a plan or experiment keeps its other stages
// and fields. Registers `file` with `diags` for rendering.
std::optional<Program> parse(const SourceFile& file, Diagnostics& diags);

// Reads and parses the file at `path`. An unreadable or oversized file is an error
// diagnostic (no line) and nullopt. `source_out`, when given, receives the text read
// (the checker needs it to place its own diagnostics).
std::optional<Program> parse_file(const std::string& path, Diagnostics& diags,
                                  SourceFile* source_out = nullptr);

}  // namespace sftx
