// Text measures the IFEval checks use, following the public implementation
// (google-research/instruction_following_eval, instructions_util.py).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftx::rt {

// Python's str semantics over UTF-8, where lm-eval's checks call str methods. CPython reads its
// own Unicode database and nltk's regexes the `regex` module's; sftx reads ICU's (the one the
// project links), which scripts/peers/ifeval_parity.py compares with both on every code point.
// Bytes that are not UTF-8 (Python never sees them) are no letter, no space and no word character,
// and str_lower copies them unchanged.

// Words as nltk's RegexpTokenizer(r"\w+") counts them (instructions_util.count_words). nltk
// compiles its patterns with the `regex` module, whose Unicode \w is UTS #18's word character:
// Alphabetic, a mark (Mn Mc Me), a decimal digit (Nd), a connector (Pc) or ZWNJ/ZWJ. So a
// Devanagari vowel sign or an Arabic harakah stays inside its word, which Python's `re` (and
// PCRE2's \w) would cut there; "²" (No) is no word character.
int count_words(std::string_view text);
bool is_regex_word_char(char32_t c);

// str.lower(): the full lower-case mapping (SpecialCasing's unconditional entries: "İ" becomes
// "i" + U+0307) with Σ -> ς where it ends a word (Final_Sigma), no language-specific rule: ICU's
// root-locale mapping.
std::string str_lower(std::string_view text);
// Each code point lowered alone, as a loop of `letter.lower()` does: no Final_Sigma context.
std::string str_lower_each(std::string_view text);
// str.isspace() of one code point (bidirectional class WS, B or S, or category Zs: NBSP, U+3000,
// U+2028, U+0085, U+001C..U+001F; not U+200B); str.strip() and str.split() use it.
bool is_python_space(char32_t c);
// str.split() without a separator: the non-empty runs between white space.
std::vector<std::string> split_whitespace(std::string_view text);

// Python's str.isupper()/islower(): at least one cased character and all cased characters
// upper (lower) case, over all of Unicode (ICU's case properties).
bool is_all_upper(std::string_view text);
bool is_all_lower(std::string_view text);

std::string ascii_lower(std::string_view text);
std::string trim(std::string_view text);  // str.strip(): Python's white space at both ends
std::vector<std::string> split_lines(std::string_view text);  // on "\n", like Python's split("\n")

// re.search(r"\bWORD\b", text, re.IGNORECASE) for a literal word.
bool contains_word_ci(std::string_view text, std::string_view word);
// Case-insensitive literal substring occurrences (non-overlapping, like re.findall).
int count_ci(std::string_view text, std::string_view needle);

}  // namespace sftx::rt
