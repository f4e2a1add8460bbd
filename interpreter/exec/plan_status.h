// What `sftx plan` says about each node against a cache: cached, or to run and why, and how
// much work a training node is.
//
// "Why" compares the node with the description stored for the same node id the last time it
// was built or reused (CacheStore's index): never built -> "new"; a differing input key ->
// which input changed; differing params -> which parameter, old -> new.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/cache_store.h"
#include "interpreter/front/plan_graph.h"

namespace sftx::exec {

struct NodePlanStatus {
  bool cached = false;
  std::string why;                  // empty when cached
  nlohmann::json estimate;          // train: {"tokens", "epochs", "parameters", "flops"}; else null
};

// One per plan node, in the graph's order. Verifies cached objects (re-hashes them) only
// when `verify` is set; otherwise "cached" means a complete object exists: its manifest
// reads and every file it lists has the recorded size.
std::vector<NodePlanStatus> plan_status(const PlanGraph& plan, const CacheStore& store, bool verify = false);

// "hyper.lr 0.001 -> 0.0005, hyper.epochs 3 -> 1": the leaves that differ between two params.
std::string param_changes(const nlohmann::json& before, const nlohmann::json& after);

// The work of a train node: tokens per epoch from its pack input (when packed already: its
// `tokens`; else unknown), epochs, steps cap, and 6·N·tokens FLOPs.
nlohmann::json training_estimate(const PlanNode& train, const std::optional<nlohmann::json>& pack_outputs);

}  // namespace sftx::exec
