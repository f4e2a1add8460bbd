#include "interpreter/exec/plan_status.h"

#include <algorithm>
#include <map>

#include "interpreter/exec/model_size.h"

namespace sftx::exec {

namespace {

void diff_leaves(const std::string& path, const nlohmann::json& a, const nlohmann::json& b,
                 std::vector<std::string>& out) {
  if (a.is_object() && b.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.push_back(k);
    for (const auto& [k, v] : b.items())
      if (!a.contains(k)) keys.push_back(k);
    for (const auto& k : keys) {
      std::string p = path.empty() ? k : path + "." + k;
      diff_leaves(p, a.contains(k) ? a[k] : nlohmann::json(), b.contains(k) ? b[k] : nlohmann::json(), out);
    }
    return;
  }
  if (a != b) {
    auto show = [](const nlohmann::json& v) { return v.is_null() ? std::string("(none)") : v.dump(); };
    std::string name = path.empty() ? std::string("params") : path;
    std::string from = show(a), to = show(b);
    // Long values (a report's rows hold input keys) would bury the point: name the path only.
    if (from.size() > 40 || to.size() > 40) out.push_back(name + " changed");
    else out.push_back(name + " " + from + " -> " + to);
  }
}

std::string why_not_cached(const PlanNode& node, const PlanGraph& plan, const CacheStore& store,
                           ObjectCheck::Status status) {
  if (status == ObjectCheck::Status::corrupt) return "cached object is corrupt: rebuild";
  auto prev = store.last_for(node.id);
  if (!prev) return "new: never built";
  if (prev->key == node.key) return "built before, no longer in the cache";
  const nlohmann::json& before = prev->description;
  const nlohmann::json& now = node.description;
  if (before.value("salt", "") != now.value("salt", "")) return "sftx version changed";
  std::vector<std::string> changes;
  diff_leaves("", before.value("params", nlohmann::json::object()), now.value("params", nlohmann::json::object()),
              changes);
  auto in_before = before.value("inputs", std::vector<std::string>{});
  auto in_now = now.value("inputs", std::vector<std::string>{});
  std::vector<std::string> inputs_changed;
  for (size_t i = 0; i < in_now.size(); ++i)
    if (i >= in_before.size() || in_before[i] != in_now[i])
      inputs_changed.push_back(i < node.inputs.size() ? node.inputs[i] : "#" + std::to_string(i + 1));
  if (in_before.size() > in_now.size()) inputs_changed.push_back("(an input was removed)");
  std::string why;
  if (!changes.empty()) {
    why = "parameter changed: ";
    for (size_t i = 0; i < changes.size(); ++i) why += (i ? ", " : "") + changes[i];
  }
  if (!inputs_changed.empty()) {
    if (!why.empty()) why += "; ";
    why += "input changed: ";
    for (size_t i = 0; i < inputs_changed.size(); ++i) why += (i ? ", " : "") + inputs_changed[i];
  }
  return why.empty() ? "description changed" : why;
}

}  // namespace

std::string param_changes(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<std::string> out;
  diff_leaves("", before, after, out);
  std::string s;
  for (size_t i = 0; i < out.size(); ++i) s += (i ? ", " : "") + out[i];
  return s;
}

nlohmann::json training_estimate(const PlanNode& train, const std::optional<nlohmann::json>& pack_outputs) {
  const nlohmann::json hyper = train.params.value("hyper", nlohmann::json::object());
  int64_t epochs = hyper.value("epochs", int64_t{1});
  int64_t max_steps = hyper.value("max_steps", int64_t{0});
  int64_t batch = hyper.value("batch", int64_t{1});
  int64_t seq_len = hyper.value("seq_len", int64_t{512});
  nlohmann::json e = {{"epochs", epochs}, {"max_steps", max_steps}};
  std::optional<int64_t> tokens;
  if (pack_outputs && pack_outputs->contains("blocks")) {
    // Training reads whole blocks of seq_len tokens (padding included).
    int64_t blocks = (*pack_outputs)["blocks"].get<int64_t>();
    int64_t steps = (blocks * epochs + batch - 1) / std::max<int64_t>(batch, 1);
    if (max_steps > 0) steps = std::min(steps, max_steps);
    tokens = steps * batch * seq_len;
    e["tokens_per_epoch"] = blocks * seq_len;
  } else if (max_steps > 0) {
    tokens = max_steps * batch * seq_len;  // an upper bound until the data is packed
    e["bound"] = true;
  }
  auto n = model_parameter_count(train.params.value("model", nlohmann::json::object()));
  if (n) e["parameters"] = *n;
  if (tokens) {
    e["tokens"] = *tokens;
    if (n) e["flops"] = 6.0 * static_cast<double>(*n) * static_cast<double>(*tokens);
  }
  return e;
}

std::vector<NodePlanStatus> plan_status(const PlanGraph& plan, const CacheStore& store, bool verify) {
  std::vector<NodePlanStatus> out(plan.nodes.size());
  std::map<std::string, nlohmann::json> outputs;  // of cached nodes, by id
  for (size_t i = 0; i < plan.nodes.size(); ++i) {
    const PlanNode& n = plan.nodes[i];
    ObjectCheck::Status status = ObjectCheck::Status::missing;
    std::optional<Manifest> m;
    // Sizes always (cheap: a truncated object is not "cached"), digests with --verify.
    ObjectCheck c = store.check(n.key, verify);
    status = c.status;
    if (status == ObjectCheck::Status::valid) m = c.manifest;
    out[i].cached = status == ObjectCheck::Status::valid;
    if (m) outputs[n.id] = m->outputs;
    if (!out[i].cached) out[i].why = why_not_cached(n, plan, store, status);
  }
  for (size_t i = 0; i < plan.nodes.size(); ++i) {
    const PlanNode& n = plan.nodes[i];
    if (n.kind != "train") continue;
    std::optional<nlohmann::json> pack;
    if (!n.inputs.empty() && outputs.count(n.inputs[0])) pack = outputs[n.inputs[0]];
    out[i].estimate = training_estimate(n, pack);
  }
  return out;
}

}  // namespace sftx::exec
