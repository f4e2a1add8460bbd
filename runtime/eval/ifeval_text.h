// Text measures the IFEval checks use, following the public implementation
// (google-research/instruction_following_eval, instructions_util.py).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftx::rt {

// Words as nltk's RegexpTokenizer(r"\w+") counts them: runs of Unicode letters, digits and "_"
// (the same pattern, through PCRE2 with Unicode properties).
int count_words(std::string_view text);

// Sentences as the public split_into_sentences finds them: split after ".", "?" and "!",
// except in titles (Mr. Dr. ...), decimals (3.14), web names (x.com), initials and acronyms
// (J. R. R., U.S.A.), and with an ellipsis ("...") ending one sentence.
std::vector<std::string> split_sentences(std::string_view text);

// Python's str.isupper()/islower(): at least one cased character and all cased characters
// upper (lower) case, over all of Unicode (ICU's case properties).
bool is_all_upper(std::string_view text);
bool is_all_lower(std::string_view text);

std::string ascii_lower(std::string_view text);
std::string trim(std::string_view text);
std::vector<std::string> split_lines(std::string_view text);  // on "\n", like Python's split("\n")

// re.search(r"\bWORD\b", text, re.IGNORECASE) for a literal word.
bool contains_word_ci(std::string_view text, std::string_view word);
// Case-insensitive literal substring occurrences (non-overlapping, like re.findall).
int count_ci(std::string_view text, std::string_view needle);

}  // namespace sftx::rt
