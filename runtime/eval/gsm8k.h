// GSM8K scoring as lm-eval's gsm8k task does it (EleutherAI lm-evaluation-harness,
// lm_eval/tasks/gsm8k/gsm8k.yaml), so sftx's accuracy is the number people cite:
//   extraction  its "strict-match" filter, the first match of  #### (\-?[0-9\.\,]+) , and when
//               there is none its "flexible-extract" filter, the last match of
//               (-?[$0-9.,]{2,})|(-?[0-9]+) ; the matched text stripped of surrounding spaces;
//   normalising its exact_match regexes_to_ignore, in order: "," and "$" removed, everything up
//               to the last "#### " removed, one "." at the end removed; then lowercased;
//   verdict     exact string equality of the normalised prediction and reference.
// So "$1,234." reads as "1234", "-3" as "-3", but "72.0" is not "72", "3,4" reads as "34" and
// "COVID-19" as "-19", exactly as lm-eval scores them (scripts/peers/gsm8k_parity.py checks it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sftx::rt {

// The answer a model's text gives, normalised (see above); nullopt when neither filter matches
// (lm-eval's "[invalid]").
std::optional<std::string> extract_gsm8k_answer(std::string_view text);

// The reference's answer: lm-eval's normalisation of the whole reference ("... #### 72" -> "72";
// a bare "42" stays "42").
std::string normalize_gsm8k_reference(std::string_view reference);

struct Gsm8kVerdict {
  std::optional<std::string> predicted;  // extracted from the completion
  std::optional<std::string> expected;   // the normalised reference
  bool correct = false;
};

// `reference` may be a bare number ("42") or a full GSM8K solution ending in "#### 42".
Gsm8kVerdict score_gsm8k(std::string_view completion, std::string_view reference);

}  // namespace sftx::rt
