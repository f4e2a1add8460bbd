// GSM8K scoring: pull the final number out of a model's answer and compare it with the
// reference numerically (the public GSM8K convention: the answer follows "####").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sftx::rt {

// The answer a text gives: the first number after the last "####" if there is one, else the
// last number anywhere in the text. Thousands separators, a leading "$" and a trailing "."
// are dropped: "#### $1,234." -> "1234". nullopt when the text holds no number.
std::optional<std::string> extract_gsm8k_answer(std::string_view text);

// Numeric equality of two extracted answers ("72" == "72.0" == "72.00"; "0.5" == ".5").
bool gsm8k_answers_equal(const std::string& predicted, const std::string& expected);

struct Gsm8kVerdict {
  std::optional<std::string> predicted;  // extracted from the completion
  std::optional<std::string> expected;   // extracted from the reference answer
  bool correct = false;
};

// `reference` may be a bare number ("42") or a full GSM8K solution ending in "#### 42".
Gsm8kVerdict score_gsm8k(std::string_view completion, std::string_view reference);

}  // namespace sftx::rt
