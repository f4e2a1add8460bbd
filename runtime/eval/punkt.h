// nltk's Punkt sentence tokenizer with its pretrained English model: what nltk.sent_tokenize(text)
// returns (nltk 3.10.4's PunktTokenizer("english").tokenize), which lm-eval's IFEval counts for
// length_constraints:number_sentences and nltk.word_tokenize splits on before its word rules.
//
// Ported from nltk/tokenize/punkt.py, the tokenizing half (no training): candidate ends are a
// ".", "?" or "!" followed by punctuation or by white space and a token; for each, the words of
// its context are annotated in two passes (first by type: a known abbreviation, an ellipsis, a
// bare end mark; then by the pair of the word and the next: collocations, the orthographic
// heuristic, frequent sentence starters, initials and numbers), and it ends a sentence when a
// word before the context's last is a sentence break; closing quotes and brackets after an end
// move back onto the sentence they close. The model (abbreviations, collocations, sentence
// starters, the orthographic context of 20,365 word types) is third_party/punkt/english,
// compiled in. Character classes follow the `regex` module nltk compiles its patterns with
// (\s is Unicode White_Space, \w UTS #18's word characters), and Python's str methods where
// punkt.py calls them (lower(), isupper(), strip()); scripts/peers/ifeval_parity.py compares the
// splits with nltk's on its responses.
#pragma once

#include <string_view>
#include <vector>

namespace sftx::rt {

// The sentences, each a slice of `text` (white space between sentences dropped, as nltk drops
// it); an empty text gives none.
std::vector<std::string_view> punkt_sentences(std::string_view text);

}  // namespace sftx::rt
