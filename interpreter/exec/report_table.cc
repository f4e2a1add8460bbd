#include "interpreter/exec/report_table.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "stdlib/metric_fields.h"

namespace sftx::exec {

namespace {

// Mean, sample standard deviation (n - 1; 0 for one value) and n of `values`.
void aggregate(const std::vector<double>& values, double& mean, double& sd) {
  double sum = 0;
  for (double v : values) sum += v;
  mean = values.empty() ? 0.0 : sum / static_cast<double>(values.size());
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  sd = values.size() > 1 ? std::sqrt(ss / static_cast<double>(values.size() - 1)) : 0.0;
}

}  // namespace

nlohmann::json report_table(const PlanNode& report, const std::vector<NodeInput>& evals) {
  const auto& p = report.params;
  std::map<std::string, const NodeInput*> by_id;
  for (const auto& in : evals)
    if (in.node) by_id[in.node->id] = &in;

  // Column prefix per metric: its op ("gsm8k") unless two metrics share an op, then its label.
  std::vector<std::string> labels = p.value("metrics", std::vector<std::string>{});
  std::vector<std::string> columns;
  std::set<std::string> seen_columns;
  nlohmann::json kinds = nlohmann::json::object();
  std::map<std::string, int> op_count;
  for (const auto& in : evals)
    if (in.node) op_count[in.node->op] = 0;
  for (const auto& row : p.value("rows", nlohmann::json::array())) {
    std::map<std::string, int> ops_in_row;
    for (const auto& id : row.value("evals", nlohmann::json::array()))
      if (by_id.count(id.get<std::string>())) ++ops_in_row[by_id[id.get<std::string>()]->node->op];
    for (const auto& [op, n] : ops_in_row) op_count[op] = std::max(op_count[op], n);
  }
  // Each graph row's scores (one row per plan instance, or per plan instance and seed).
  std::vector<nlohmann::json> row_metrics;
  for (const auto& row : p.value("rows", nlohmann::json::array())) {
    nlohmann::json metrics = nlohmann::json::object();
    const auto& ids = row.value("evals", nlohmann::json::array());
    for (size_t i = 0; i < ids.size(); ++i) {
      auto it = by_id.find(ids[i].get<std::string>());
      if (it == by_id.end()) continue;
      const NodeInput& e = *it->second;
      std::string prefix = op_count[e.node->op] > 1 && i < labels.size() ? labels[i] : e.node->op;
      const nlohmann::json& scores = e.outputs.contains("result") ? e.outputs["result"].value("scores", nlohmann::json::object())
                                                                  : nlohmann::json::object();
      for (const auto& [name, value] : scores.items()) {
        if (!value.is_number()) continue;
        std::string col = prefix + "." + name;
        metrics[col] = value;
        if (seen_columns.insert(col).second) {
          columns.push_back(col);
          if (const MetricField* f = find_metric_field(e.node->op, name)) kinds[col] = field_kind_name(f->kind);
        }
      }
    }
    row_metrics.push_back(std::move(metrics));
  }
  nlohmann::json out = {{"experiment", p.value("experiment", "")}, {"columns", columns}, {"column_kinds", kinds}};
  const nlohmann::json& graph_rows = p.contains("rows") ? p["rows"] : nlohmann::json::array();
  nlohmann::json rows = nlohmann::json::array();
  if (!p.contains("seeds")) {
    for (size_t r = 0; r < graph_rows.size(); ++r)
      rows.push_back({{"plan", graph_rows[r].value("plan", "")},
                      {"params", graph_rows[r].value("params", nlohmann::json::object())},
                      {"metrics", row_metrics[r]}});
    out["rows"] = rows;
    return out;
  }
  // Seeds: group the graph rows by plan instance, in order of first appearance.
  out["seeds"] = p["seeds"];
  std::vector<std::string> plans;
  std::map<std::string, std::vector<size_t>> members;
  for (size_t r = 0; r < graph_rows.size(); ++r) {
    std::string plan = graph_rows[r].value("plan", "");
    if (!members.count(plan)) plans.push_back(plan);
    members[plan].push_back(r);
  }
  for (const auto& plan : plans) {
    const auto& rs = members[plan];
    nlohmann::json mean = nlohmann::json::object(), sd = nlohmann::json::object(), n = nlohmann::json::object();
    nlohmann::json per_seed = nlohmann::json::array();
    for (size_t r : rs) per_seed.push_back({{"seed", graph_rows[r].value("seed", nlohmann::json())}, {"metrics", row_metrics[r]}});
    for (const auto& col : columns) {
      std::vector<double> values;
      for (size_t r : rs)
        if (row_metrics[r].contains(col)) values.push_back(row_metrics[r][col].get<double>());
      if (values.empty()) continue;
      double m = 0, s = 0;
      aggregate(values, m, s);
      mean[col] = m;
      sd[col] = s;
      n[col] = values.size();
    }
    rows.push_back({{"plan", plan},
                    {"params", graph_rows[rs.front()].value("params", nlohmann::json::object())},
                    {"metrics", mean},
                    {"std", sd},
                    {"n", n},
                    {"per_seed", per_seed}});
  }
  out["rows"] = rows;
  return out;
}

}  // namespace sftx::exec
