// Scoring model outputs for the generative metrics (those with a scorer in the runtime's metric
// table, metric_handlers.h: gsm8k, humaneval, ifeval, mtbench here; mbpp in mbpp.cc), given the
// evaluation records and, per record, the completions generated for it. evaluate() calls this
// after rt::generate; tests call it with hand-written completions.
//
// What each metric reads from a record (runtime/data/record.h; the readers and synthetic
// generators write these):
//   gsm8k     meta.answer (a number or a "... #### N" solution), else the last assistant message
//   humaneval meta.task_id, meta.prompt, meta.test, meta.entry_point; params.k (default [1]),
//             params.timeout (seconds, default 10)
//   ifeval    meta.instruction_id_list, meta.kwargs
//   mtbench   the last user message as the question, meta.reference or the record's assistant
//             message as the reference; params.judge_command
// Per-sample results go to out_dir/samples.jsonl (HumanEval rows carry the public harness's
// task_id, completion, result, passed); the summary to out_dir/result.json.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/record.h"

namespace sftx::rt {

bool is_generative_metric(const std::string& metric);

// Returns {"metric", "scores": {...}, "n": records, "samples": PATH}. Throws
// std::runtime_error naming the record ("record 3 (origin): ...") when one lacks what its metric needs.
nlohmann::json score_generations(const std::string& metric, const std::vector<Record>& records,
                                 const std::vector<std::vector<std::string>>& completions,
                                 const nlohmann::json& params, const std::string& out_dir,
                                 const ProgressFn& progress = {});

// The text of the last message with this role ("" when none).
std::string last_message(const Record& r, const std::string& role);

}  // namespace sftx::rt
