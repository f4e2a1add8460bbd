// The data of langdetect (runtime/eval/langdetect.h): its 55 language profiles and the tables of
// its character normalisation, parsed once from third_party/langdetect/profiles.txt, which
// langdetect_profiles.cc compiles into the binary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sftx::rt {

struct LangdetectProfiles {
  std::vector<std::string> languages;  // sorted codes
  // An n-gram of 1 to 3 code points (none is 0) packed 21 bits each: ngram_key().
  std::unordered_map<uint64_t, uint32_t> ngram_index;  // key -> index into `offsets`
  // Entries of n-gram i: entries[offsets[i] .. offsets[i + 1]): (language index, probability
  // freq / n_words[length - 1], the same double division DetectorFactory.add_profile does).
  std::vector<uint32_t> offsets;
  std::vector<std::pair<uint32_t, double>> entries;

  std::u32string latin1_exclude;                    // NGram.LATIN1_EXCLUDE
  std::u32string vi_letters, vi_marks;              // TO_NORMALIZE_VI_CHARS, DMARK_CLASS
  std::vector<std::u32string> vi_normalized;        // per mark, per letter
  std::unordered_map<char32_t, char32_t> cjk_map;   // ideograph -> its class's first
};

inline uint64_t ngram_key(const char32_t* cps, size_t n) {
  uint64_t key = 0;
  for (size_t i = 0; i < n; ++i) key = (key << 21) | static_cast<uint64_t>(cps[i]);
  return key;
}

// Parsed on first use (thread-safe); throws std::runtime_error if the compiled-in data is malformed.
const LangdetectProfiles& langdetect_profiles();

// UTF-8 to code points; an ill-formed sequence becomes U+FFFD.
std::u32string utf8_to_code_points(std::string_view utf8);

}  // namespace sftx::rt
