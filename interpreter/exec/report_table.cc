#include "interpreter/exec/report_table.h"

#include <algorithm>
#include <map>
#include <set>

namespace sftx::exec {

nlohmann::json report_table(const PlanNode& report, const std::vector<NodeInput>& evals) {
  const auto& p = report.params;
  std::map<std::string, const NodeInput*> by_id;
  for (const auto& in : evals)
    if (in.node) by_id[in.node->id] = &in;

  // Column prefix per metric: its op ("gsm8k") unless two metrics share an op, then its label.
  std::vector<std::string> labels = p.value("metrics", std::vector<std::string>{});
  nlohmann::json rows = nlohmann::json::array();
  std::vector<std::string> columns;
  std::set<std::string> seen_columns;
  std::map<std::string, int> op_count;
  for (const auto& in : evals)
    if (in.node) op_count[in.node->op] = 0;
  for (const auto& row : p.value("rows", nlohmann::json::array())) {
    std::map<std::string, int> ops_in_row;
    for (const auto& id : row.value("evals", nlohmann::json::array()))
      if (by_id.count(id.get<std::string>())) ++ops_in_row[by_id[id.get<std::string>()]->node->op];
    for (const auto& [op, n] : ops_in_row) op_count[op] = std::max(op_count[op], n);
  }
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
        if (seen_columns.insert(col).second) columns.push_back(col);
      }
    }
    rows.push_back({{"plan", row.value("plan", "")}, {"params", row.value("params", nlohmann::json::object())},
                    {"metrics", metrics}});
  }
  return {{"experiment", p.value("experiment", "")}, {"columns", columns}, {"rows", rows}};
}

}  // namespace sftx::exec
