#include "runtime/eval/nltk_word_tokenize.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "runtime/regex/regex.h"

namespace sftx::rt {
namespace {

struct Rule {
  Regex pattern;
  std::string replacement;  // Python's \1 and \g<0> written $1 and $0
};

Rule rule(const char* pattern, const char* replacement) { return {Regex(pattern), replacement}; }

// NLTKWordTokenizer's class attributes (nltk/tokenize/destructive.py, nltk 3.10.4), in the order
// its tokenize() applies them. convert_parentheses is off in word_tokenize, so those rules are
// not here.
const std::vector<Rule>& before_padding() {
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> r;
    // STARTING_QUOTES
    r.push_back(rule("([«“‘„]|[`]+)", " $1 "));
    r.push_back(rule(R"(^\")", "``"));
    r.push_back(rule(R"((``))", " $1 "));
    r.push_back(rule(R"(([ \(\[{<])(\"|\'{2}))", "$1 `` "));
    r.push_back(rule(R"((?i)(?<!\w)(\')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w))", "$1 "));
    // PUNCTUATION
    r.push_back(rule(R"(([^\.])(\.)([\]\)}>"\'»”’ ]*+)\s*$)", "$1 $2 $3 "));
    r.push_back(rule(R"(([:,])([^\d]))", " $1 $2"));
    r.push_back(rule(R"(([:,])$)", " $1 "));
    r.push_back(rule(R"(\.{2,})", " $0 "));
    r.push_back(rule(R"([;@#$%&])", " $0 "));
    r.push_back(rule(R"([\x{2012}-\x{2015}])", " $0 "));
    r.push_back(rule(R"(([^\.])(\.)([\]\)}>"\']*)\s*$)", "$1 $2$3 "));
    r.push_back(rule(R"([?!])", " $0 "));
    r.push_back(rule(R"(([^'])' )", "$1 ' "));
    r.push_back(rule(R"([*])", " $0 "));
    // PARENS_BRACKETS, DOUBLE_DASHES
    r.push_back(rule(R"([\]\[\(\)\{\}\<\>])", " $0 "));
    r.push_back(rule(R"(--)", " -- "));
    return r;
  }();
  return rules;
}

// Applied after the text is padded with a space on each side.
const std::vector<Rule>& after_padding() {
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> r;
    // ENDING_QUOTES
    r.push_back(rule("([»”’])", " $1 "));
    r.push_back(rule(R"('')", " '' "));
    r.push_back(rule(R"(")", " '' "));
    r.push_back(rule(R"(\s+)", " "));
    r.push_back(rule(R"(([^' ])('[sS]|'[mM]|'[dD]|') )", "$1 $2 "));
    r.push_back(rule(R"(([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) )", "$1 $2 "));
    // CONTRACTIONS2 and CONTRACTIONS3 (MacIntyreContractions)
    for (const char* p : {R"((?i)\b(can)(?#X)(not)\b)", R"((?i)\b(d)(?#X)('ye)\b)", R"((?i)\b(gim)(?#X)(me)\b)",
                          R"((?i)\b(gon)(?#X)(na)\b)", R"((?i)\b(got)(?#X)(ta)\b)", R"((?i)\b(lem)(?#X)(me)\b)",
                          R"((?i)\b(more)(?#X)('n)\b)", R"((?i)\b(wan)(?#X)(na)(?=\s))", R"((?i) ('t)(?#X)(is)\b)",
                          R"((?i) ('t)(?#X)(was)\b)"})
      r.push_back(rule(p, " $1 $2 "));
    return r;
  }();
  return rules;
}

}  // namespace

std::vector<std::string_view> candidate_sentences(std::string_view text) {
  // Punkt's period context: [.?!] followed by one of its non-word characters, or by
  // whitespace and a token (the whitespace is taken into the match: the next sentence starts
  // after it).
  static const Regex end(R"re([.?!](?:(?=[)";}\]*:@'({\[!?])|\s+(?=\S)))re");
  auto ascii_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  // PunktSentenceTokenizer._match_potential_end_contexts: a candidate is dropped when the next
  // one follows it with no whitespace between (its "previous word" then overlaps), so in
  // "A.)." only the last "." can end a sentence.
  std::vector<std::pair<size_t, size_t>> kept;
  std::pair<size_t, size_t> prev_word{0, 0};
  std::optional<std::pair<size_t, size_t>> prev;
  for (auto m : end.find_all(text)) {
    size_t last_space = 0;  // string.whitespace; 0 also when none, as Punkt reads it
    for (size_t i = m.first; i > prev_word.second; --i)
      if (ascii_space(text[i - 1])) {
        last_space = i - 1 - prev_word.second;
        break;
      }
    size_t word_start = last_space ? prev_word.second + last_space + 1 : prev_word.first;
    if (prev && prev_word.second <= word_start) kept.push_back(*prev);
    prev = m;
    prev_word = {word_start, m.first};
  }
  if (prev) kept.push_back(*prev);
  // _slices_from_text, taking every kept candidate as a sentence end; the last sentence loses
  // its trailing whitespace.
  std::vector<std::pair<size_t, size_t>> slices;
  size_t last_break = 0;
  for (auto [b, e] : kept) {
    slices.emplace_back(last_break, b + 1);
    last_break = e;
  }
  size_t stop = text.size();
  while (stop > last_break && ascii_space(text[stop - 1])) --stop;
  slices.emplace_back(last_break, std::max(stop, last_break));
  // _realign_boundaries: closing quotes and brackets that start a sentence, followed by
  // whitespace, "--" or the end, belong to the sentence before.
  std::vector<std::string_view> out;
  size_t realign = 0;
  for (size_t i = 0; i < slices.size(); ++i) {
    size_t b = slices[i].first + realign, e = slices[i].second;
    realign = 0;
    if (i + 1 < slices.size()) {
      std::string_view next = text.substr(slices[i + 1].first, slices[i + 1].second - slices[i + 1].first);
      size_t closers = next.find_first_not_of("\"')]}");
      if (closers == std::string_view::npos) closers = next.size();
      if (closers > 0 && (closers == next.size() || ascii_space(next[closers]) || next.substr(closers, 2) == "--")) {
        e = slices[i + 1].first + closers;
        realign = closers;
        while (realign < next.size() && ascii_space(next[realign])) ++realign;
        out.push_back(text.substr(b, e - b));
        continue;
      }
    }
    if (e > b) out.push_back(text.substr(b, e - b));
  }
  return out;
}

std::vector<std::string> treebank_tokenize(std::string_view sentence) {
  std::string text(sentence);
  for (const auto& r : before_padding()) text = r.pattern.replace_all(text, r.replacement);
  text = " " + text + " ";
  for (const auto& r : after_padding()) text = r.pattern.replace_all(text, r.replacement);
  std::vector<std::string> tokens;
  size_t b = 0;
  while (b < text.size()) {
    size_t e = text.find(' ', b);
    if (e == std::string::npos) e = text.size();
    if (e > b) tokens.emplace_back(text.substr(b, e - b));
    b = e + 1;
  }
  return tokens;
}

std::vector<std::string> nltk_word_tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  for (std::string_view sentence : candidate_sentences(text))
    for (auto& t : treebank_tokenize(sentence)) tokens.push_back(std::move(t));
  return tokens;
}

}  // namespace sftx::rt
