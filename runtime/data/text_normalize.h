// Text views of a Record shared by the transforms: the full text, the normalised text that
// exact dedup and decontamination compare, and word tokens for n-grams (MinHash shingles,
// decontamination n-grams, length in words).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/data/record.h"

namespace sftx::rt {

// Every message's content, joined by "\n" (roles left out: a record that says the same
// thing says the same thing whoever the speaker is).
std::string record_text(const Record& r);

// ASCII lowercase, runs of whitespace collapsed to one space, trimmed.
std::string normalize_text(std::string_view text);

// Words: maximal runs of ASCII letters/digits or non-ASCII bytes (so UTF-8 letters stay
// inside words), lowercased; punctuation and whitespace separate them.
std::vector<std::string> words(std::string_view text);

// XXH3 hash of each word (as words() would produce them), without building the strings.
std::vector<uint64_t> word_hashes(std::string_view text);

// Characters as Unicode code points (UTF-8 continuation bytes not counted).
int64_t utf8_length(std::string_view text);

}  // namespace sftx::rt
