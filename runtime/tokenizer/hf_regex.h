// The pre-tokenizer regexes of tokenizer.json files: GPT-2's ByteLevel regex and the Split
// regexes of Llama-3 and Qwen2 use \p{L}, \p{N}, look-ahead and (?i:...), which std::regex
// cannot express. The project's one PCRE2 wrapper (runtime/regex: UTF, Unicode properties,
// JIT, bounded work) runs them; this layer only makes \s mean what it means to `tokenizers`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtime/regex/regex.h"

namespace sftx::rt::hf {

class Regex {
 public:
  // Throws std::invalid_argument with PCRE2's message and the offset when the pattern is bad.
  explicit Regex(const std::string& pattern);
  // Non-overlapping matches left to right as [begin, end) byte ranges; empty matches are
  // skipped (the patterns tokenizer.json files use never match empty). `text` is valid UTF-8.
  std::vector<std::pair<size_t, size_t>> find_all(const std::string& text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;  // as the file wrote it
  sftx::Regex compiled_;
};

// Quotes `literal` so a Regex matches it verbatim (Split's {"String": ...} pattern).
std::string regex_quote(const std::string& literal);

}  // namespace sftx::rt::hf
