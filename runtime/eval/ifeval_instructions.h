// IFEval's verifiable instructions (Zhou et al. 2023, google-research/instruction_following_eval),
// under the public instruction ids and kwargs names, each checked as the public
// instructions.py checks it:
//   punctuation:no_comma                       no "," anywhere
//   change_case:english_capital                response.isupper()
//   change_case:english_lowercase              response.islower()
//   detectable_format:number_bullet_lists      {num_bullets}: lines "* x" plus lines "- x" == N
//   detectable_format:title                    a non-empty <<title>>
//   detectable_format:json_format              parses as JSON (``` fences allowed)
//   detectable_format:number_highlighted_sections {num_highlights}: *x* or **x** spans >= N
//   detectable_content:postscript              {postscript_marker}: a line part starting with it
//   detectable_content:number_placeholders     {num_placeholders}: [x] spans >= N
//   keywords:existence                         {keywords}: each appears (case-insensitive)
//   keywords:forbidden_words                   {forbidden_words}: none appears as a whole word
//   keywords:frequency                         {keyword, frequency, relation}
//   length_constraints:number_words            {relation, num_words}: "less than" / "at least"
//   length_constraints:number_sentences        {relation, num_sentences}
//   length_constraints:number_paragraphs       {num_paragraphs}: split on "***" dividers
//   startend:end_checker                       {end_phrase}: ends with it (case-insensitive)
//   startend:quotation                         wrapped in double quotes
//   combination:repeat_prompt                  {prompt_to_repeat}: starts with it
// Language detection (the public english_* checks also require langdetect == "en") is not done.
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
