#include "interpreter/exec/plan_json.h"

#include <stdexcept>

namespace sftx::exec {

nlohmann::json plan_to_json(const PlanGraph& plan) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : plan.nodes)
    nodes.push_back({{"id", n.id},
                     {"kind", n.kind},
                     {"op", n.op},
                     {"label", n.label},
                     {"inputs", n.inputs},
                     {"params", n.params},
                     {"provenance", n.provenance},
                     {"key", n.key},
                     {"description", n.description},
                     {"used_by", n.used_by},
                     {"origin", {{"path", n.origin.path}, {"line", n.origin.line}, {"column", n.origin.column}}}});
  nlohmann::json experiments = nlohmann::json::array();
  for (const auto& x : plan.experiments)
    experiments.push_back({{"name", x.name},
                           {"plans", x.plans},
                           {"finals", x.finals},
                           {"metrics", x.metrics},
                           {"report", x.report},
                           {"stages", x.stages},
                           {"seeds", x.seeds},
                           {"claims", x.claims}});
  return {{"nodes", nodes}, {"experiments", experiments}};
}

PlanGraph plan_from_json(const nlohmann::json& j) {
  PlanGraph plan;
  try {
    for (const auto& n : j.at("nodes")) {
      PlanNode node;
      node.id = n.at("id").get<std::string>();
      node.kind = n.at("kind").get<std::string>();
      node.op = n.at("op").get<std::string>();
      node.label = n.at("label").get<std::string>();
      node.inputs = n.at("inputs").get<std::vector<std::string>>();
      node.params = n.at("params");
      node.provenance = n.at("provenance");
      node.key = n.at("key").get<std::string>();
      node.description = n.at("description");
      node.used_by = n.at("used_by").get<std::vector<std::string>>();
      const auto& o = n.at("origin");
      node.origin = {o.at("path").get<std::string>(), o.at("line").get<int>(), o.at("column").get<int>()};
      plan.nodes.push_back(std::move(node));
    }
    for (const auto& x : j.at("experiments")) {
      PlanExperiment e;
      e.name = x.at("name").get<std::string>();
      e.plans = x.at("plans").get<std::vector<std::string>>();
      e.finals = x.at("finals").get<std::vector<std::string>>();
      e.metrics = x.at("metrics").get<std::vector<std::string>>();
      e.report = x.at("report").get<std::string>();
      e.stages = x.at("stages").get<std::vector<std::vector<std::string>>>();
      e.seeds = x.at("seeds").get<std::vector<long long>>();
      e.claims = x.at("claims");
      plan.experiments.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed plan: ") + e.what());
  }
  return plan;
}

}  // namespace sftx::exec
