// A compiled PCRE2 pattern (UTF + Unicode properties) for the pre-tokenizer regexes of
// tokenizer.json files: GPT-2's ByteLevel regex and the Split regexes of Llama-3 and Qwen2 use
// \p{L}, \p{N}, look-ahead and (?i:...), which std::regex cannot express. JIT-compiled when
// PCRE2 has a JIT for this machine.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

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
  struct Code;
  std::string pattern_;
  std::shared_ptr<Code> code_;
};

// Quotes `literal` so a Regex matches it verbatim (Split's {"String": ...} pattern).
std::string regex_quote(const std::string& literal);

}  // namespace sftx::rt::hf
