// A report node's table: rows the plan instances, columns the metrics' scores, built from the
// evaluation nodes' results, in the shape rt::write_report takes:
//   {"experiment", "columns": ["gsm8k.accuracy", ...],
//    "column_kinds": {"gsm8k.accuracy": "rate", ...}   (stdlib/metric_fields.h; known fields only)
//    "rows": [{"plan": "dmt(1/4)", "params": {"k": "1/4"}, "metrics": {"gsm8k.accuracy": 0.4}}]}
// A column is "<metric op>.<score>"; when two metrics of an experiment share an op (gsm8k on
// two test sets) it is "<metric label>.<score>" instead, so columns never collide.
//
// With seeds (the report node's params have "seeds"), the graph has one row per plan instance
// and seed; the table has one row per plan instance, aggregated over seeds:
//   "seeds": [1, 2, 3],
//   "rows": [{"plan", "params",
//             "metrics": {col: mean}, "std": {col: sample std (n-1), 0 for n = 1}, "n": {col: n},
//             "per_seed": [{"seed": 1, "metrics": {col: value}}, ...]}]
// n counts the seeds whose evaluation produced the value (a failed node leaves it out).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/executor.h"

namespace sftx::exec {

// `report`: the report node (params {experiment, rows, metrics[, seeds]}); `evals`: its inputs
// (those that ran: a missing one leaves its values out), each with outputs
// {"result": {"scores": {...}}}.
nlohmann::json report_table(const PlanNode& report, const std::vector<NodeInput>& evals);

}  // namespace sftx::exec
