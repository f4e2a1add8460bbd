// IFEval scoring (Zhou et al. 2023): every prompt carries verifiable instructions
// (ifeval_instructions.h); a response is judged per instruction, strictly and loosely.
//   strict: the response as it is (and non-empty after stripping);
//   loose:  followed if any of 8 variants follows it: the response, it with the first line
//           removed, the last line removed, both removed, and each of those four with every
//           "*" removed (the public evaluation_lib.py);
//   prompt-level accuracy: prompts whose every instruction is followed / prompts;
//   instruction-level accuracy: instructions followed / instructions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

// The version of these verdicts, in every ifeval eval node's cache key (MetricHandler::
// scorer_version). 1: change_case asks langdetect for "en"; str.lower()/strip()/split() and
// nltk's \w are Unicode as in lm-eval (before: ASCII lower-casing and stripping, PCRE2's \w).
// 2: json_format accepts what json.loads does (NaN, Infinity, 1e400, lone surrogate escapes)
// and refuses a leading byte order mark. 3: number_sentences counts Punkt's English sentences (as
// lm-eval does, through nltk), not the public split_into_sentences rules, and
// capital_word_frequency's words come from those sentences (before: every candidate end split).
inline constexpr int kIfevalScorerVersion = 3;

struct IfevalItem {
  std::vector<std::string> instruction_ids;
  std::vector<nlohmann::json> kwargs;  // parallel to instruction_ids; objects
};

// From a Record's meta (or a public input_data.jsonl line): "instruction_id_list" and
// "kwargs" (a list parallel to it; missing means no arguments). Throws std::runtime_error on
// a bad shape or an unknown instruction id.
IfevalItem ifeval_item_from_json(const nlohmann::json& meta);

// The 8 loose variants, in the public order.
std::vector<std::string> ifeval_loose_variants(const std::string& response);

struct IfevalVerdict {
  std::vector<bool> strict, loose;  // per instruction
  bool strict_all = false, loose_all = false;
};
IfevalVerdict check_ifeval(const IfevalItem& item, const std::string& response);

struct IfevalScores {
  double prompt_strict = 0, prompt_loose = 0, instruction_strict = 0, instruction_loose = 0;
  int64_t prompts = 0, instructions = 0;
  nlohmann::json to_json() const;
};
IfevalScores summarize_ifeval(const std::vector<IfevalVerdict>& verdicts);

}  // namespace sftx::rt
