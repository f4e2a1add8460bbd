// `sftx check`: parse a file with its imports and the prelude, read its sftx.toml, and check
// everything in one pass. The result feeds evaluation into the plan graph.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grammar/diagnostics.h"
#include "interpreter/front/config.h"
#include "interpreter/front/evaluate.h"
#include "interpreter/front/module.h"

namespace sftx {

struct CheckOptions {
  std::string profile;            // --profile; empty for none
};

struct CheckedProgram {
  std::shared_ptr<LoadedProgram> program;
  ProjectConfig config;           // defaults when no sftx.toml was found
  std::string profile;            // the profile applied, or empty
  std::vector<ExperimentInstance> experiments;  // the main file's, in source order
};

// Errors and warnings go to `diags`; nullopt when there was any error.
std::optional<CheckedProgram> check_file(const std::string& path, Diagnostics& diags,
                                         const CheckOptions& options = {});

// The same for a text not on disk (tests); imports and sftx.toml resolve from `directory`.
std::optional<CheckedProgram> check_text(const std::string& display_path, const std::string& text,
                                         const std::filesystem::path& directory, Diagnostics& diags,
                                         const CheckOptions& options = {});

// The same for a text parse() has already read: `program` is what parse(source, diags) gave
// (its syntax errors are in `diags`; `had_syntax_errors` says whether there were any). The
// parse+check fuzzer checks what it parsed instead of parsing every input twice.
std::optional<CheckedProgram> check_parsed(SourceFile source, Program program, bool had_syntax_errors,
                                           const std::filesystem::path& directory, Diagnostics& diags,
                                           const CheckOptions& options = {});

}  // namespace sftx
