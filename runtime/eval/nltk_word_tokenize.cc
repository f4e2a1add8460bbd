#include "runtime/eval/nltk_word_tokenize.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "runtime/eval/ifeval_text.h"
#include "runtime/eval/punkt.h"
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
    // \w as the `regex` module nltk compiles with reads it (marks included: "di̇zi̇'nin" keeps its
    // quote after U+0307), not PCRE2's; is_regex_word_char (ifeval_text.h) is the same class.
    const std::string word = R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200c}\x{200d}])";
    r.push_back(rule(("(?i)(?<!" + word + R"()(\')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=)" + word + ")").c_str(), "$1 "));
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

std::vector<std::string> treebank_tokenize(std::string_view sentence) {
  std::string text(sentence);
  for (const auto& r : before_padding()) text = r.pattern.replace_all(text, r.replacement);
  text = " " + text + " ";
  for (const auto& r : after_padding()) text = r.pattern.replace_all(text, r.replacement);
  // text.split(): Python's white space, which also takes \x1c-\x1f that the \s above leaves.
  return split_whitespace(text);
}

std::vector<std::string> nltk_word_tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  for (std::string_view sentence : punkt_sentences(text))
    for (auto& t : treebank_tokenize(sentence)) tokens.push_back(std::move(t));
  return tokens;
}

}  // namespace sftx::rt
