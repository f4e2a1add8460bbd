// The score fields each metric's evaluation writes (its result.json "scores", produced in
// runtime/eval), what a claim may refer to as PLAN.METRIC.FIELD, and how the report treats
// each: a rate is plotted on [0, 1], a count is never plotted as a metric.
//
// The fields are part of each metric's entry in the built-in table (stdlib/builtins.cc): a
// metric that gains a score field in runtime/eval adds it there; the checker, the report and
// the docs' list follow.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftx {

enum class FieldKind {
  rate,   // a proportion in [0, 1]: accuracy, pass@k, IFEval rates
  value,  // any real number: perplexity, an NLL, a judge's score
  count,  // how many things were measured: tokens, points (never plotted as a metric)
};

struct MetricField {
  std::string metric;  // gsm8k humaneval ifeval perplexity mtbench tsne
  std::string field;   // "accuracy"; for `pass@` it is a prefix completed by each k of humaneval(k = [...])
  FieldKind kind;
  std::string doc;
  bool per_k = false;  // the field is field + k for each k the metric computes ("pass@1")
};

const std::vector<MetricField>& metric_fields();

// The entry for `field` of `metric` ("pass@5" finds the per-k "pass@" entry), or null.
const MetricField* find_metric_field(std::string_view metric, std::string_view field);

// The fields of `metric` as a user writes them ("pass@k" for a per-k field).
std::vector<std::string> metric_field_names(std::string_view metric);

const char* field_kind_name(FieldKind k);  // "rate" | "value" | "count"

}  // namespace sftx
