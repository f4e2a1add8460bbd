// nltk.word_tokenize(text) as nltk 3.10 computes it, for IFEval's
// change_case:capital_word_frequency (lm-eval counts the tokens that are str.isupper()).
//
// nltk splits the text into sentences with Punkt's English model (nltk's punkt_tab data), then
// runs NLTKWordTokenizer (the improved Treebank tokenizer: a fixed list of regular-expression
// substitutions, then a split on whitespace) on each sentence. The substitutions are ported
// one for one (same patterns, same order, through PCRE2: runtime/regex). Punkt's model is
// data sftx does not ship, so sentences end wherever Punkt's period-context pattern finds a
// candidate end (a "." "?" or "!" followed by whitespace and a token, or by one of
// ) " ; } ] * : @ ' ( { [ ! ?) that Punkt goes on to consider (the last of several with no
// whitespace between them), with closing quotes and brackets moved back as Punkt realigns them.
//
// Where it can differ from nltk: Punkt keeps some candidates inside a sentence (abbreviations
// such as "U.S." or "Dr.", initials, numbers). The sentence's end matters to the Treebank
// rules only for its last word: a final "." is split off it ("U.S." -> "U.S" "."), and a
// contraction there is split because a space now follows ("CAN'T." -> "CA" "N'T" "."; the
// same for 's 'm 'd 'll 're 've and "wanna"). Splitting off a "." never changes whether a
// token is upper case; so the tokens differ in a way that changes an upper-case count only
// where a word ending in a contraction is followed by a "." that Punkt's English model reads
// as an abbreviation or collocation rather than a sentence end. Whitespace is Unicode
// White_Space (Python's str.split also splits at \x1c-\x1f).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftx::rt {

// The sentences as described above: each a slice of `text`, whitespace between them dropped.
std::vector<std::string_view> candidate_sentences(std::string_view text);

// NLTKWordTokenizer().tokenize(sentence).
std::vector<std::string> treebank_tokenize(std::string_view sentence);

// treebank_tokenize over candidate_sentences(text).
std::vector<std::string> nltk_word_tokenize(std::string_view text);

}  // namespace sftx::rt
