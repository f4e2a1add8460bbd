// Regular expressions over untrusted text: PCRE2 with bounded work.
//
// std::regex recursed once per character (a SIGSEGV on a 40K-character record for
// "(a|b)*c") and backtracked without limit ("(a+)+$" on 30 characters: minutes). PCRE2's
// interpreter keeps its backtracking state on the heap, and every match runs under a match
// limit (backtracking steps), a depth limit and a heap limit: a pattern that would need more
// throws RegexLimitError instead of hanging or crashing. Patterns are Perl-compatible, in UTF
// mode with Unicode properties (\w, \d and \b know non-ASCII letters: PCRE2_UCP); subjects
// that are not valid UTF-8 are still searched (PCRE2_MATCH_INVALID_UTF).
//
// One leaf library, used by the checker (a bad pattern is a located error at `check`), by
// the data transforms (filter) and by the tokenizer.json pre-tokenizers, so all compile and
// bound patterns the same way.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sftx {

struct RegexSyntaxError {
  size_t offset = 0;    // byte offset in the pattern where PCRE2 found the error
  std::string message;  // PCRE2's text, e.g. "missing closing parenthesis"
};

// A pattern's syntax error, or nothing when it compiles.
std::optional<RegexSyntaxError> regex_syntax_error(const std::string& pattern);

// A match that needed more work than the limits allow.
struct RegexLimitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RegexLimits {
  // Backtracking steps per search (PCRE2's default): a linear scan of a 1 MB record fits;
  // exponential backtracking ((a+)+$ on 30 characters needs ~10^9) stops within a second.
  uint32_t match_limit = 10'000'000;
  // Nested backtracking points: one per iteration of a repeated group, so (a|b)* over a
  // 200K-character record needs 200K; the heap limit bounds the memory they take.
  uint32_t depth_limit = 1'000'000;
  uint32_t heap_limit_kib = 64 << 10;
  // JIT-compile (several times faster). For fixed, known patterns only (the tokenizers'):
  // the JIT backtracks on its own 32 KiB stack, so a deeply backtracking pattern stops with
  // RegexLimitError where the interpreter, bounded by the heap limit, still matches.
  bool jit = false;
};

class Regex {
 public:
  // Throws std::invalid_argument "<message> at offset N" for a pattern that does not compile.
  explicit Regex(const std::string& pattern, RegexLimits limits = {});
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;

  // Whether the pattern matches anywhere in text. Throws RegexLimitError when a limit is hit.
  // Safe to call from several threads at once (each call has its own match data).
  bool search(std::string_view text) const;
  // Non-overlapping matches left to right, as [begin, end) byte ranges; an empty match is
  // skipped by one character (the tokenizer.json pre-tokenizers split text this way). Each
  // search runs under the limits. Safe to call from several threads at once.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view text) const;

  // Every non-overlapping match replaced, left to right, as Python's re.sub does; in
  // `replacement`, $0 is the match and $1..$9 its groups (an unset group is empty), $$ a "$".
  // Each search runs under the limits. Safe to call from several threads at once.
  std::string replace_all(std::string_view text, const std::string& replacement) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Impl;
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sftx
