// `sftx score`: score outputs made elsewhere, with the public harnesses' file fields.
//
// HumanEval (github.com/openai/human-eval):
//   samples:  {"task_id": "HumanEval/0", "completion": "..."} per line (other fields kept);
//   problems: the public HumanEval.jsonl (task_id, prompt, test, entry_point; gunzipped).
//   Writes SAMPLES_results.jsonl beside the input: each sample plus "result" and "passed".
// GSM8K (github.com/openai/grade-school-math):
//   predictions: {"completion"} (or "prediction", "response", "output") per line, matched to
//     an answer by "idx" (0-based line of the answers file), else "task_id" (its trailing
//     integer, "gsm8k/12" -> 12), else "question" (exact text), else by position;
//   answers: the public test.jsonl ({"question", "answer": "... #### 72"}).
//   Writes PREDICTIONS_results.jsonl: each prediction plus "extracted", "expected", "correct".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

struct HumanEvalScoreOptions {
  std::vector<int64_t> ks{1};
  double timeout_s = 10.0;
  int workers = 0;  // 0: one per core
};

struct FileScore {
  nlohmann::json scores;        // {"pass@1": 0.5, ...} or {"accuracy": 0.41}
  int64_t samples = 0;
  int64_t problems = 0;         // distinct problems scored
  int64_t problems_missing = 0; // in the problems/answers file but never attempted
  std::string results_path;
  std::string isolation;        // sandbox layers in force (HumanEval)
};

// Errors in the inputs throw std::runtime_error "PATH:LINE: ...".
FileScore score_humaneval_file(const std::string& samples_path, const std::string& problems_path,
                               const HumanEvalScoreOptions& options,
                               const std::function<void(int64_t, int64_t)>& progress = {});

FileScore score_gsm8k_file(const std::string& predictions_path, const std::string& answers_path);

}  // namespace sftx::rt
