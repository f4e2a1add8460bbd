// Printing the experiment graph: `sftx plan` (a readable tree per experiment, or the JSON of
// contract §8) and `sftx graph` (Graphviz dot).
//
// `cached` tells whether a key is already in the cache; the executor's cache plugs in here
// (the default says nothing is cached).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "interpreter/front/plan_graph.h"

namespace sftx {

using CachedFn = std::function<bool(const std::string& key)>;

// {"nodes": [{"id","kind","op","label","key","inputs","cached","params",...}], "experiments": [...]}
nlohmann::json plan_json(const PlanGraph& graph, const CachedFn& cached = {});

// Per experiment: plan instances, their stages with data, resolved hyperparameters and where
// each came from, shared stages marked; then the evaluations and a node count.
std::string plan_text(const PlanGraph& graph, const CachedFn& cached = {});

std::string plan_dot(const PlanGraph& graph, const CachedFn& cached = {});

}  // namespace sftx
