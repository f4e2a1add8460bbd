// nltk.word_tokenize(text) as nltk 3.10 computes it, for IFEval's
// change_case:capital_word_frequency (lm-eval counts the tokens that are str.isupper()).
//
// nltk splits the text into sentences with Punkt's English model (runtime/eval/punkt.h), then
// runs NLTKWordTokenizer (the improved Treebank tokenizer: a fixed list of regular-expression
// substitutions, then a split on whitespace) on each sentence. The substitutions are ported
// one for one (same patterns, same order, through PCRE2: runtime/regex); the tokens are then
// split at Python's white space (str.split(), which also splits at \x1c-\x1f).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftx::rt {

// NLTKWordTokenizer().tokenize(sentence).
std::vector<std::string> treebank_tokenize(std::string_view sentence);

// treebank_tokenize over punkt_sentences(text).
std::vector<std::string> nltk_word_tokenize(std::string_view text);

}  // namespace sftx::rt
