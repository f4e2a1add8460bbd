// HumanEval functional correctness: run each completion with its problem's tests in the
// sandbox (sandbox.h) and count passes, like the public human-eval harness
// (github.com/openai/human-eval): the program is
//   prompt + completion + "\n" + test + "\n" + "check(" + entry_point + ")"
// run by humaneval_harness.h, which passes a sample only on positive evidence that every
// check ran; a sample's result is "passed", "timed out" or "failed: <reason>".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/eval/pass_at_k.h"
#include "runtime/eval/sandbox.h"

namespace sftx::rt {

struct HumanEvalProblem {
  std::string task_id, prompt, test, entry_point;
};
// From a public HumanEval.jsonl line (or a Record's meta): needs task_id, prompt, test and
// entry_point as strings; throws std::runtime_error naming the missing field.
HumanEvalProblem humaneval_problem_from_json(const nlohmann::json& j);

// A chat model's reply as a HumanEval completion: the code of its first ``` fenced block when
// it has one (a whole function that redefines the prompt's; Python keeps the later definition),
// else the reply itself (a body continuing the prompt).
std::string completion_from_response(const std::string& response);

std::string humaneval_program(const HumanEvalProblem& problem, const std::string& completion);

struct HumanEvalOutcome {
  bool passed = false;
  std::string result;  // "passed", "timed out", "failed: ..."
};
HumanEvalOutcome check_humaneval(const HumanEvalProblem& problem, const std::string& completion,
                                 const SandboxLimits& limits = {});

struct HumanEvalSample {
  std::string task_id;
  std::string completion;
};
// Checks every sample (workers at a time); outcomes in sample order. progress(done, total).
std::vector<HumanEvalOutcome> check_humaneval_samples(const std::map<std::string, HumanEvalProblem>& problems,
                                                      const std::vector<HumanEvalSample>& samples,
                                                      const SandboxLimits& limits, int workers,
                                                      const std::function<void(int64_t, int64_t)>& progress = {});

// Per-problem (n, c) from samples and their outcomes, for pass@k.
std::map<std::string, ProblemTally> tally_by_problem(const std::vector<HumanEvalSample>& samples,
                                                     const std::vector<HumanEvalOutcome>& outcomes);

}  // namespace sftx::rt
