// `sftx data FILE EXPR`: EXPR as a program the front end can check and evaluate, and that
// program's diagnostics put back onto what the user typed.
//
// The program imports FILE (`use`) and names EXPR as the data of a one-stage plan, so the plan
// graph holds EXPR's data nodes with the same names and keys as in `sftx run`. Its text is not
// the user's: a diagnostic inside it is moved onto EXPR itself (`<expr>:1:COL`, EXPR's text
// and a caret), and one in FILE is named as the user named FILE.
#pragma once

#include <filesystem>
#include <string>

#include "grammar/diagnostics.h"

namespace sftx::cli {

// The path diagnostics about EXPR carry.
inline constexpr const char* kExprPath = "<expr>";
// The experiment of the program (the one the plan graph is built for).
inline constexpr const char* kDataExperiment = "__sftx_data_experiment__";

// The program's text; `file` is absolute (the program is checked under the path kExprPath).
std::string data_expr_program(const std::filesystem::path& file, const std::string& expr);

// `diags` of that program as the user should read them: positions in the program become
// positions in EXPR (line 1 is EXPR's first line; one past its end where the program's own
// text was reached, e.g. a `)` EXPR never closed), with EXPR's text registered for the caret,
// and "opened at L:C" in a message moved the same way; diagnostics in `file` are named
// `file_arg`. Others are kept as they are.
Diagnostics diagnostics_on_expr(const Diagnostics& diags, const std::string& expr, const std::filesystem::path& file,
                                const std::string& file_arg);

}  // namespace sftx::cli
