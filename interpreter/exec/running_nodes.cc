#include "interpreter/exec/running_nodes.h"

#include <fstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace sftx::exec {

namespace fs = std::filesystem;

void RunningNodes::started(const PlanNode& node) {
  std::lock_guard<std::mutex> lock(mu_);
  running_[node.id] = Running{&node, {}};
}

void RunningNodes::progress(const PlanNode& node, const rt::Progress& p) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = running_.find(node.id);
  if (it != running_.end()) it->second.last = p;
}

void RunningNodes::finished(const PlanNode& node, const NodeRun&) {
  std::lock_guard<std::mutex> lock(mu_);
  running_.erase(node.id);
  ++finished_;
}

std::optional<long long> checkpoint_step(const fs::path& work_dir) {
  std::ifstream in(work_dir / "state" / "state.json");
  if (!in) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("step") || !j["step"].is_number_integer()) return std::nullopt;
  return j["step"].get<long long>();
}

std::string RunningNodes::interrupted_message(const std::function<fs::path(const std::string&)>& work_dir) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = "sftx run: interrupted";
  if (running_.empty()) {
    out += " between nodes.\n";
  } else {
    out += fmt::format(" while {} node{} ran:\n", running_.size(), running_.size() == 1 ? "" : "s");
    for (const auto& [id, r] : running_) {
      const PlanNode& n = *r.node;
      if (n.kind == "train") {
        std::string at = r.last.phase == "train" && r.last.total > 0
                             ? fmt::format(" at step {} of {}", r.last.done, r.last.total)
                             : std::string();
        auto step = checkpoint_step(work_dir(n.key));
        out += fmt::format("  training {}{}: ", id, at);
        if (step && *step > 0)
          out += fmt::format("a rerun resumes it from step {}, its last checkpoint\n", *step);
        else
          out += "no checkpoint was saved yet (every save_every steps), so a rerun starts it from step 0\n";
      } else {
        out += fmt::format("  {} {}: a rerun runs it again\n", n.kind, id);
      }
    }
  }
  out += fmt::format("{} node{} finished in this run and stay{} in the cache; run the same command to go on.\n",
                     finished_, finished_ == 1 ? "" : "s", finished_ == 1 ? "s" : "");
  return out;
}

}  // namespace sftx::exec
