// The state one parse carries through the PEGTL rules: where errors go, which brackets are
// open, how deep the expression nesting is, and the error-recovery bookkeeping.
//
// Recovery: each top-level statement and each entry of a { } body (plan stages,
// experiment and defaults fields) is parsed inside recovering<> (parse_tree.h, PEGTL's try_catch). A failed must<> reports its
// diagnostic (control.h, report_expected) and marks the error pending; recovering<> rewinds to
// the statement's start; the recover<> rule then skips to the resume point:
//   - the line of the error, when the error is the first token on its line and that line is
//     after the statement's start (a statement cut short by a missing ')' resumes at the
//     next statement, e.g. `stage2 = ...` or `plan ...`);
//   - inside a body, the '}' at the error (so `{ stage1 = f( }` still closes the body);
//   - otherwise the start of the line after the error, skipping lines that begin with `|>`
//     (they continue the broken statement).
// A statement that fails without a pending diagnostic (nothing could start there) gets
// "unexpected X" and is skipped to the next line (or, in a body, the next '}').
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grammar/diagnostics.h"
#include "grammar/source.h"

namespace sftx::grammar {

enum class RecoveryLevel { top, entry };

struct OpenGroup {
  const char* kind;      // "call", "list", ... (grammar.h group_kind)
  std::uint32_t offset;  // byte offset of its opening character
};

struct ParseState {
  ParseState(const SourceFile& f, Diagnostics& d);

  const SourceFile& file;
  Diagnostics& diags;
  const char* begin;  // file.text().data()
  const char* end;

  std::vector<OpenGroup> groups;  // innermost last
  int depth = 0;                  // nesting of primaries / unary minus

  bool pending = false;             // an error was reported and not yet recovered from
  std::uint32_t pending_offset = 0; // where the failed rule was when it raised
  int errors = 0;                   // syntax errors reported

  std::uint32_t offset(const char* p) const { return static_cast<std::uint32_t>(p - begin); }
};

inline constexpr int kMaxSyntaxErrors = 100;  // then the rest of the file is skipped

// Reports a failed must<>: `message` with placeholders ({open}, {prev}, {found}, {char})
// filled in at `at`; `at_open` puts it at the innermost group's opening, `after_previous`
// moves it back to just after the previous token when a line break separates them,
// `column_shift` moves it by that many bytes. Marks the error pending.
void report_expected(ParseState& ps, const char* at, const char* message, bool at_open, bool after_previous,
                     int column_shift);

// Throws a parse_error-carrying diagnostic when ps.depth exceeds kMaxNestingDepth.
void check_depth(ParseState& ps, const char* at);

// Where parsing resumes after a failed statement starting at `at` (always > at).
const char* recovery_point(ParseState& ps, const char* at, RecoveryLevel level);

// How a token at `at` reads in a message: 'name', '42', ')', string, end of line, end of file.
std::string describe_token(const ParseState& ps, const char* at);

}  // namespace sftx::grammar
