#include "interpreter/front/plan_print.h"

#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "stdlib/hyperparams.h"

namespace sftx {

namespace {

bool is_cached(const CachedFn& cached, const std::string& key) { return cached ? cached(key) : false; }

std::string origin_text(const NodeOrigin& o) {
  if (o.path.empty()) return "";
  return o.path + ":" + std::to_string(o.line) + ":" + std::to_string(o.column);
}

// A number as a user writes it: 16, not 16.0.
std::string number_text(const nlohmann::json& v) {
  if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())))
    return std::to_string(static_cast<long long>(v.get<double>()));
  return v.dump();
}

std::string value_text(const nlohmann::json& v) {
  if (v.is_object() && v.contains("kind")) {
    std::string kind = v["kind"].get<std::string>();
    // Every setting of the method, defaults included: the plan is where a user confirms
    // which projections are adapted and with what dropout.
    if (kind == "lora") {
      std::string targets;
      for (const auto& t : v.value("lora_targets", nlohmann::json::array()))
        targets += (targets.empty() ? "" : ", ") + t.dump();
      return "lora(r = " + number_text(v["lora_r"]) + ", alpha = " + number_text(v["lora_alpha"]) +
             ", dropout = " + number_text(v.value("lora_dropout", nlohmann::json(0))) + ", targets = [" + targets +
             "])";
    }
    if (kind == "freeze") return "freeze(layers = " + v["freeze_layers"].dump() + ")";
    return "\"" + kind + "\"";
  }
  return v.dump();
}

}  // namespace

nlohmann::json plan_json(const PlanGraph& graph, const CachedFn& cached) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : graph.nodes) {
    nlohmann::json j = {{"id", n.id},         {"kind", n.kind},     {"op", n.op},
                        {"label", n.label},   {"key", n.key},       {"inputs", n.inputs},
                        {"cached", is_cached(cached, n.key)},       {"params", n.params},
                        {"used_by", n.used_by}, {"origin", origin_text(n.origin)}};
    if (!n.provenance.empty()) j["provenance"] = n.provenance;
    nodes.push_back(std::move(j));
  }
  nlohmann::json experiments = nlohmann::json::array();
  for (const auto& x : graph.experiments)
    experiments.push_back({{"name", x.name},
                           {"plans", x.plans},
                           {"finals", x.finals},
                           {"stages", x.stages},
                           {"metrics", x.metrics},
                           {"report", x.report}});
  return {{"nodes", nodes}, {"experiments", experiments}};
}

// How many of the plans sharing a stage its line names.
constexpr std::size_t kSharersListed = 4;

std::string plan_text(const PlanGraph& graph, const CachedFn& cached) {
  std::ostringstream out;
  std::set<std::string> printed;
  // Each stage line looks up its node and asks whether it is among the node's users: with a
  // scan of every node (PlanGraph::find) or every user for each line, a sweep of N plans
  // sharing a stage would print in O(N^2) (20,000 plans: minutes). An index and, for the
  // shared nodes whose users are not all listed, a set of them keep it linear.
  std::unordered_map<std::string_view, const PlanNode*> by_id;
  for (const auto& n : graph.nodes) by_id.emplace(n.id, &n);
  auto find = [&by_id](const std::string& id) -> const PlanNode* {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  };
  std::unordered_map<const PlanNode*, std::unordered_set<std::string_view>> users;
  for (const auto& x : graph.experiments) {
    out << "experiment " << x.name << "\n";
    for (std::size_t p = 0; p < x.plans.size(); ++p) {
      out << "  " << x.plans[p] << "\n";
      for (const auto& train_id : x.stages[p]) {
        const PlanNode* t = find(train_id);
        if (!t) continue;
        std::string stage_name = train_id.substr(train_id.rfind('.') + 1);
        std::string me = x.plans[p] + "." + stage_name;
        // A stage shared by every plan of a 100,000-plan sweep would otherwise list all the
        // others on each of their lines: quadratic output. The first few, then a count.
        std::string shared;
        std::size_t listed = 0, read = 0;
        bool me_read = false;
        for (const auto& u : t->used_by) {
          if (listed == kSharersListed) break;
          ++read;
          if (u == me) me_read = true;
          else shared += (listed++ ? ", " : "") + u;
        }
        std::size_t more = t->used_by.size() - read;  // the users not read, less this plan's stage
        if (more && !me_read) {
          auto& set = users[t];
          if (set.empty()) set.insert(t->used_by.begin(), t->used_by.end());
          more -= set.count(me);
        }
        if (more) shared += " and " + std::to_string(more) + " more";
        std::string status = is_cached(cached, t->key) ? "cached" : "to run";
        if (printed.count(train_id)) {
          out << "    " << stage_name << "  (shared with " << (train_id == me ? shared : train_id) << "; "
              << status << ")\n";
          continue;
        }
        printed.insert(train_id);
        out << "    " << stage_name << "  key " << t->key.substr(0, 12) << "  " << status;
        if (!shared.empty()) out << "  (shared with " << shared << ")";
        out << "\n";
        const PlanNode* pack = find(t->inputs.at(0));
        const PlanNode* data = pack ? find(pack->inputs.at(0)) : nullptr;
        if (data) out << "      data    " << data->label << "\n";
        if (t->inputs.size() > 1) out << "      from    " << t->inputs[1] << "\n";
        // Hyperparameters that were set somewhere, one per line; the built-in ones on one line.
        std::map<std::string, std::string> values;
        for (const auto& [k, v] : t->params["hyper"].items()) values[k] = value_text(v);
        values["method"] = value_text(t->params["method"]);
        if (pack) {
          values["template"] = pack->params["template"].dump();
          values["packing"] = pack->params["packed"].get<bool>() ? "\"packed\"" : "\"padded\"";
        }
        std::string builtin;
        for (const auto& hp : hyperparams()) {
          if (!t->provenance.contains(hp.name) || !values.count(hp.name)) continue;
          std::string prov = t->provenance[hp.name].get<std::string>();
          if (prov == "builtin") {
            builtin += (builtin.empty() ? "" : ", ") + hp.name + " " + values[hp.name];
            continue;
          }
          out << "      " << hp.name << std::string(hp.name.size() < 12 ? 12 - hp.name.size() : 1, ' ')
              << values[hp.name] << "  (" << prov << ")\n";
        }
        if (!builtin.empty()) out << "      builtin     " << builtin << "\n";
      }
    }
    if (!x.metrics.empty()) {
      out << "  eval\n";
      for (const auto& m : x.metrics) out << "    " << m << "\n";
    }
    if (const PlanNode* r = find(x.report))
      out << "  report  " << r->label << "  key " << r->key.substr(0, 12) << "\n";
  }
  std::map<std::string, int> counts;
  int n_cached = 0;
  for (const auto& n : graph.nodes) {
    ++counts[n.kind];
    n_cached += is_cached(cached, n.key);
  }
  out << "nodes: " << counts["data"] << " data, " << counts["train"] << " train, " << counts["eval"] << " eval, "
      << counts["report"] << " report; " << n_cached << " cached\n";
  return out.str();
}

namespace {
std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

std::string plan_dot(const PlanGraph& graph, const CachedFn& cached) {
  std::ostringstream out;
  out << "digraph sftx {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  std::map<std::string, std::size_t> number;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const PlanNode& n = graph.nodes[i];
    number[n.id] = i;
    std::string shape = n.kind == "train" ? "box" : n.kind == "eval" ? "ellipse" : n.kind == "report" ? "doubleoctagon"
                                                                                                        : "note";
    std::string fill = n.kind == "train" ? "#cfe2ff" : n.kind == "eval" ? "#d1e7dd" : n.kind == "report" ? "#fff3cd"
                                                                                                         : "#f8f9fa";
    std::string label = n.id + "\n" + n.op + "  " + n.key.substr(0, 8);
    if (is_cached(cached, n.key)) label += "  (cached)";
    out << "  n" << i << " [label=\"" << dot_escape(label) << "\", shape=" << shape << ", style=filled, fillcolor=\""
        << fill << "\"];\n";
  }
  for (std::size_t i = 0; i < graph.nodes.size(); ++i)
    for (const auto& in : graph.nodes[i].inputs)
      if (number.count(in)) out << "  n" << number[in] << " -> n" << i << ";\n";
  out << "}\n";
  return out.str();
}

}  // namespace sftx
