// mbpp(data): MBPP (Austin et al. 2021, "Program Synthesis with Large Language Models"; the
// public mbpp.jsonl of google-research) scored like HumanEval. Each record (format "mbpp":
// runtime/data/record_formats.h) carries meta.task_id, meta.text, meta.test_list (assert
// lines) and optionally meta.test_setup_code. A completion (its first fenced block when it has
// one) runs with the setup code and every assert in the sandbox, through the HumanEval harness
// (humaneval_harness.h): it passes only on positive evidence that every assert ran. Scores:
// unbiased pass@k for each k of params.k, as HumanEval's.
#include <map>
#include <stdexcept>

#include "runtime/eval/code_scoring.h"
#include "runtime/eval/humaneval.h"
#include "runtime/eval/metric_handlers.h"
#include "runtime/eval/pass_at_k.h"

namespace sftx::rt {
namespace {

std::string indented(const std::string& code) {
  std::string out;
  size_t at = 0;
  while (at <= code.size()) {
    size_t end = code.find('\n', at);
    std::string line = code.substr(at, end == std::string::npos ? std::string::npos : end - at);
    out += "    " + line + "\n";
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

// An MBPP problem as the HumanEval harness runs it: no prompt (the completion is the whole
// program), the setup and the asserts inside check(), which the harness calls last.
HumanEvalProblem mbpp_problem(const nlohmann::json& meta) {
  auto id = meta.find("task_id");
  if (id == meta.end() || !(id->is_string() || id->is_number_integer()))
    throw std::runtime_error("MBPP problem needs a field \"task_id\" (a number or a string)");
  auto tests = meta.find("test_list");
  if (tests == meta.end() || !tests->is_array() || tests->empty())
    throw std::runtime_error("MBPP problem needs a non-empty list \"test_list\" of assert lines");
  std::string body;
  if (auto setup = meta.find("test_setup_code"); setup != meta.end() && setup->is_string())
    body += setup->get<std::string>() + "\n";
  for (const auto& t : *tests) {
    if (!t.is_string()) throw std::runtime_error("MBPP problem's \"test_list\" must hold strings");
    body += t.get<std::string>() + "\n";
  }
  HumanEvalProblem p;
  p.task_id = id->is_string() ? id->get<std::string>() : std::to_string(id->get<long long>());
  p.test = "def check(_):\n" + indented(body) + "    pass\n";
  p.entry_point = "None";
  return p;
}

ScoredSamples score_mbpp_completions(const std::vector<Record>& records,
                                     const std::vector<std::vector<std::string>>& completions,
                                     const nlohmann::json& params, const ProgressFn& progress) {
  return score_code_completions(records, completions, params, progress, "mbpp", mbpp_problem);
}

const MetricRegistration mbpp_metric({"mbpp", score_mbpp_completions, nullptr});

}  // namespace
}  // namespace sftx::rt
