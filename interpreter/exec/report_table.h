// A report node's table: rows the plan instances, columns the metrics' scores, built from the
// evaluation nodes' results, in the shape rt::write_report takes:
//   {"experiment", "columns": ["gsm8k.accuracy", ...],
//    "rows": [{"plan": "dmt(1/4)", "params": {"k": "1/4"}, "metrics": {"gsm8k.accuracy": 0.4}}]}
// A column is "<metric op>.<score>"; when two metrics of an experiment share an op (gsm8k on
// two test sets) it is "<metric label>.<score>" instead, so columns never collide.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/executor.h"

namespace sftx::exec {

// `report`: the report node (params {experiment, rows, metrics}); `evals`: its inputs, each
// with outputs {"result": {"scores": {...}}}.
nlohmann::json report_table(const PlanNode& report, const std::vector<NodeInput>& evals);

}  // namespace sftx::exec
