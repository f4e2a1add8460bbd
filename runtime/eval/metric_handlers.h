// The runtime's table of metrics: for each metric name (the `handler` of its entry in the
// built-in table, stdlib/builtins.cc), how rt::evaluate runs it. A generative metric gives a
// scorer for the completions the worker generated; the others (perplexity, tsne) run the
// whole evaluation themselves.
//
// Each metric registers itself from its own file (a static MetricRegistration), so a new one is
// one new file here; sftx_eval is linked whole (CMakeLists.txt) so that registrations in files
// nothing else calls are kept. A test in interpreter/exec checks that this table and the
// built-in table name the same metrics.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/record.h"

namespace sftx::rt {

// What a scorer returns: the summary (result.json "scores") and one row per sample
// (samples.jsonl).
struct ScoredSamples {
  nlohmann::json scores = nlohmann::json::object();
  std::vector<nlohmann::json> rows;
};

// records[i]'s completions are completions[i]. params: the metric's keyword arguments.
// Throws std::runtime_error naming the record when one lacks what the metric needs.
using CompletionScorer = ScoredSamples (*)(const std::vector<Record>& records,
                                           const std::vector<std::vector<std::string>>& completions,
                                           const nlohmann::json& params, const ProgressFn& progress);
// A metric that runs the whole evaluation (no generation step): returns result.json's object.
using MetricRunner = nlohmann::json (*)(const EvalRequest& req, const std::vector<Record>& records);

struct MetricHandler {
  std::string name;
  CompletionScorer score = nullptr;  // generative metrics
  MetricRunner run = nullptr;        // the others
  // Raised whenever the same completions would now score differently (a scorer fixed to
  // agree with its reference harness): the metric's entry in stdlib/builtins.cc carries the
  // same number into its eval nodes' cache keys, so results scored by the old code are not
  // reused (a test in interpreter/exec compares the two). 0: never changed, not in the key.
  int scorer_version = 0;
};

struct MetricRegistration {
  explicit MetricRegistration(MetricHandler handler);
};

const MetricHandler* find_metric_handler(const std::string& name);
std::vector<std::string> metric_handler_names();  // sorted

// "record 3 (origin)": how a scorer names a record in its errors.
std::string record_name(const std::vector<Record>& records, size_t i);

}  // namespace sftx::rt
