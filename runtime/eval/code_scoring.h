// The code metrics' scorer (humaneval, mbpp): each record becomes a problem with its tests,
// every completion runs in the sandbox against them, and pass@k is taken over problems. One
// function, so the two metrics cannot drift apart in how they sandbox, time out or count.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/record.h"
#include "runtime/eval/humaneval.h"
#include "runtime/eval/metric_handlers.h"

namespace sftx::rt {

// params: "k" (a number or a list; default [1]), "timeout" (seconds per sample; default 10),
// "workers" (sandboxes at once; default 2). `metric` names the progress phase and the errors;
// problem_of turns a record's meta into its problem (throws std::runtime_error when it cannot).
ScoredSamples score_code_completions(const std::vector<Record>& records,
                                     const std::vector<std::vector<std::string>>& completions,
                                     const nlohmann::json& params, const ProgressFn& progress,
                                     const std::string& metric,
                                     HumanEvalProblem (*problem_of)(const nlohmann::json& meta));

}  // namespace sftx::rt
