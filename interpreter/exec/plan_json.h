// A plan graph as JSON and back: the Slurm executor freezes the plan it submitted in the run
// directory (plan.json), so each job runs exactly that node even if the .sftx file changes
// while the jobs wait in the queue.
#pragma once

#include <nlohmann/json.hpp>

#include "interpreter/front/plan_graph.h"

namespace sftx::exec {

nlohmann::json plan_to_json(const PlanGraph& plan);
// Throws std::runtime_error on a malformed document.
PlanGraph plan_from_json(const nlohmann::json& j);

}  // namespace sftx::exec
