// Loading a .sftx file with its `use` imports and the prelude, and building each file's
// scope: duplicate definitions, missing or cyclic imports and clashing imported names are
// diagnosed here, all of them in one pass.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "grammar/diagnostics.h"
#include "interpreter/front/module.h"

namespace sftx {

// stdlib/prelude.sftx (or $SFTX_PRELUDE when set): loaded before every file.
std::filesystem::path prelude_path();

// Parses `path` and its imports (relative to the importing file) and builds their scopes.
// Returns null when a file could not be read or had syntax errors (all reported), since
// checking half a file would only add confusing errors. Name-level problems (duplicates,
// cycles) are reported and the program is still returned.
std::shared_ptr<LoadedProgram> load_program(const std::string& path, Diagnostics& diags);

// The same for a text that is not on disk (tests, `sftx data`'s expression); imports
// resolve against `directory`.
std::shared_ptr<LoadedProgram> load_program_text(const std::string& display_path, const std::string& text,
                                                 const std::filesystem::path& directory, Diagnostics& diags);

// The same for a text parse() has already read (load_program_text is parse() and then this):
// `program` is what parse(source, diags) returned, `had_syntax_errors` whether it reported any.
// The parse+check fuzzer parses each input once and checks what it parsed.
std::shared_ptr<LoadedProgram> load_parsed_program(SourceFile source, Program program, bool had_syntax_errors,
                                                   const std::filesystem::path& directory, Diagnostics& diags);

}  // namespace sftx
