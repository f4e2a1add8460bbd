// Verifiable instructions (IFEval's catalogue): for `general`, instructions attached to a user
// turn and an assistant response built to satisfy them; for `ifeval_test`, prompts carrying
// instructions with IFEval's exact ids and kwargs. The two use different wordings of the same
// instructions, so training text never repeats a test prompt.
//
// Ids and kwargs (as google-research/instruction_following_eval):
//   punctuation:no_comma {} · change_case:english_capital {} · change_case:english_lowercase {}
//   detectable_format:number_bullet_lists {num_bullets} · keywords:existence {keywords}
//   keywords:forbidden_words {forbidden_words} · length_constraints:number_words {relation, num_words}
//   length_constraints:number_sentences {relation, num_sentences}
//   length_constraints:number_paragraphs {num_paragraphs} · startend:end_checker {end_phrase}
//   startend:quotation {} · detectable_format:title {} · detectable_format:json_format {}
//   detectable_content:postscript {postscript_marker}
// relation is "less than" or "at least".
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stdlib/synthetic/prng.h"

namespace sftx::rt::synth {

struct Instruction {
  std::string id;
  nlohmann::json kwargs = nlohmann::json::object();
};

// The content of an answer before formatting.
struct AnswerParts {
  std::string title;
  std::string intro;
  std::vector<std::string> points;  // advice sentences
  std::string closing;
  std::vector<std::string> topic_keywords;
};

struct InstructedAnswer {
  std::string instruction_text;  // appended to the user's message
  std::string response;
  std::vector<Instruction> instructions;
};

// Chooses 1-3 compatible instructions and renders `parts` so that all of them hold
// (train wording). Thresholds (word counts, sentences) are chosen from the rendered text.
InstructedAnswer instructed_answer(const AnswerParts& parts, Rng& rng);

// Renders an answer with no instruction: prose, a numbered list or bullets, varied.
std::string plain_answer(const AnswerParts& parts, Rng& rng);

// 1-3 compatible instructions with IFEval's test wording, for a prompt (no response).
struct InstructedPrompt {
  std::string text;
  std::vector<Instruction> instructions;
};
InstructedPrompt test_instructions(Rng& rng, const std::vector<std::string>& topic_words);

// What IFEval counts: words are runs of [A-Za-z0-9_]; sentences end in . ! or ? before
// whitespace or the end. Exposed for the tests.
int count_words(const std::string& text);
int count_sentences(const std::string& text);

}  // namespace sftx::rt::synth
