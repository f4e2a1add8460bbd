// IFEval's verifiable instructions (Zhou et al. 2023, google-research/instruction_following_eval),
// under the public instruction ids and kwargs names, each checked as lm-eval's copy of the public
// instructions.py checks it (the same regular expressions, through PCRE2; checked against the
// package by scripts/peers/ifeval_parity.py):
//   language:response_language                 {language}: langdetect.detect(response) == language, with
//                                              langdetect ported and seeded 0 (runtime/eval/langdetect.h);
//                                              followed where langdetect finds no feature; the
//                                              code must be one of lm-eval's 30 LANGUAGE_CODES
//   punctuation:no_comma                       no "," anywhere
//   change_case:english_capital                response.isupper() and langdetect says "en" (or finds no feature)
//   change_case:english_lowercase              response.islower() and langdetect says "en" (or finds no feature)
//   change_case:capital_word_frequency         {capital_frequency, capital_relation}: nltk.word_tokenize
//                                              tokens that are isupper() (runtime/eval/nltk_word_tokenize.h)
//   detectable_format:number_bullet_lists      {num_bullets}: (?m)^\s*\*[^\*].*$ plus (?m)^\s*-.*$ == N
//   detectable_format:constrained_response     contains "My answer is yes." / "no." / "maybe."
//   detectable_format:multiple_sections        {section_spliter, num_sections}: \s?S\s?\d+\s? splits >= N
//   detectable_format:title                    <<[^\n]+>> with something inside the brackets
//   detectable_format:json_format              parses as JSON (``` fences allowed)
//   detectable_format:number_highlighted_sections {num_highlights}: *x* or **x** spans >= N
//   detectable_content:postscript              {postscript_marker}: (?m)\s*p\.\s?s\..*$ and the like
//   detectable_content:number_placeholders     {num_placeholders}: \[.*?\] >= N
//   keywords:existence                         {keywords}: each found (a case-insensitive regex)
//   keywords:forbidden_words                   {forbidden_words}: none found as \bW\b
//   keywords:frequency                         {keyword, frequency, relation}
//   keywords:letter_frequency                  {letter, let_frequency, let_relation}
//   length_constraints:number_words            {relation, num_words}: nltk's \w+ runs (the `regex` module's \w),
//                                              "less than" / "at least"
//   length_constraints:number_sentences        {relation, num_sentences}: Punkt's English sentences
//                                              (runtime/eval/punkt.h), as nltk.sent_tokenize
//   length_constraints:number_paragraphs       {num_paragraphs}: split on "***" dividers
//   length_constraints:nth_paragraph_first_word {num_paragraphs, nth_paragraph, first_word}: "\n\n" paragraphs
//   startend:end_checker                       {end_phrase}: ends with it (str.lower() both, quotes dropped)
//   startend:quotation                         wrapped in double quotes
//   combination:two_responses                  two different responses separated by "******"
//   combination:repeat_prompt                  {prompt_to_repeat}: starts with it
// Python's str methods (lower(), isupper(), islower(), strip(), split()) and nltk's \w are
// Unicode here as there (runtime/eval/ifeval_text.h: ICU's tables, compared with CPython's and the
// `regex` module's on every code point by scripts/peers/ifeval_parity.py).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

// The ids above, in that order.
const std::vector<std::string>& ifeval_instruction_ids();
bool is_known_ifeval_instruction(const std::string& id);

// Whether `response` follows instruction `id` with arguments `kwargs` (a JSON object; null
// values are ignored, as the public data carries them). Throws std::invalid_argument for an
// unknown id or a missing/ill-typed argument, naming it.
bool follows_instruction(const std::string& id, const nlohmann::json& kwargs, const std::string& response);

}  // namespace sftx::rt
