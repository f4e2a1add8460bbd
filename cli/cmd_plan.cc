// sftx plan FILE [EXPERIMENT] [--profile P] [--json]: the expanded, de-duplicated graph.
#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/exec/plan_status.h"
#include "interpreter/front/plan_build.h"
#include "interpreter/front/plan_print.h"

namespace sftx::cli {

namespace {

// Whether a node's key is already in the cache (sftx.toml's cache; nothing when none exists).
CachedFn cache_status(const CheckedProgram& program, bool verify) {
  std::filesystem::path root = program.config.cache_dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(root / "objects", ec)) return {};
  auto store = std::make_shared<exec::CacheStore>(root);
  // Sizes are always re-checked (cheap), so a truncated object is not reported cached;
  // digests with --verify.
  return [store, verify](const std::string& key) {
    return store->check(key, verify).status == exec::ObjectCheck::Status::valid;
  };
}

// Per node: cached, or to run and why (new, which input or parameter changed), and for
// training the work it is (interpreter/exec/plan_status.h).
std::vector<exec::NodePlanStatus> node_status(const CheckedProgram& program, const PlanGraph& graph, bool verify) {
  std::error_code ec;
  if (!std::filesystem::is_directory(program.config.cache_dir / "objects", ec)) {  // no cache yet: all new
    std::vector<exec::NodePlanStatus> out(graph.nodes.size());
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      out[i].why = "new: never built";
      if (graph.nodes[i].kind == "train") out[i].estimate = exec::training_estimate(graph.nodes[i], std::nullopt);
    }
    return out;
  }
  return exec::plan_status(graph, exec::CacheStore(program.config.cache_dir), verify);
}

std::string estimate_text(const nlohmann::json& e) {
  if (!e.is_object() || !e.contains("tokens")) return "";
  std::string s = fmt::format("{}{} tokens", e.value("bound", false) ? "<= " : "", e["tokens"].get<long long>());
  if (e.contains("flops")) s += fmt::format(", {:.2g} FLOPs", e["flops"].get<double>());
  return "  [" + s + "]";
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("plan", "Show the expanded experiment graph: what would run, what is shared");
  cmd->description(
      "Check a .sftx file and print its experiments as a graph of data, train, eval and report\n"
      "nodes: every plan instance with its stages, each stage's data expression and resolved\n"
      "hyperparameters with where each came from (builtin, defaults, profile:NAME, with).\n"
      "A stage written in several places is one node, marked `(shared with ...)`.\n\n"
      "Examples:\n"
      "  sftx plan experiments/k_sweep.sftx\n"
      "  sftx plan experiments/table1.sftx table1 --profile smoke\n"
      "  sftx plan experiments/k_sweep.sftx --json | jq '.nodes[] | select(.kind == \"train\") | .id'");
  auto file = std::make_shared<std::string>();
  auto experiment = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  auto plans = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  auto verify = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "the .sftx file")->required();
  cmd->add_option("EXPERIMENT", *experiment, "only this experiment (default: all of the file's)");
  cmd->add_option("--profile", *profile, "apply this [profile.NAME] of sftx.toml");
  add_plan_option(cmd, *plans, "only this plan of the experiment, as the table names it (e.g. 'dmt(1/4)'); repeatable");
  cmd->add_flag("--json", *json, "print {\"nodes\": [...], \"experiments\": [...]} instead of the tree");
  cmd->add_flag("--verify", *verify,
                "re-hash cached objects before calling them cached (file sizes are always checked)");
  cmd->callback([&exit_code, file, experiment, profile, plans, json, verify] {
    Diagnostics diags;
    CheckOptions options;
    options.profile = *profile;
    bool color = isatty(fileno(stderr)) != 0;
    auto checked = check_file(*file, diags, options);
    std::optional<PlanGraph> graph;
    if (checked) graph = build_plan_graph(*checked, *experiment, diags, *plans);
    if (!diags.empty()) fmt::print(stderr, "{}", diags.render(color));
    if (!graph) {
      exit_code = 1;
      return;
    }
    CachedFn cached = cache_status(*checked, *verify);
    auto status = node_status(*checked, *graph, *verify);
    if (*json) {
      nlohmann::json j = plan_json(*graph, cached);
      for (size_t i = 0; i < graph->nodes.size() && i < j["nodes"].size(); ++i) {
        if (!status[i].why.empty()) j["nodes"][i]["why"] = status[i].why;
        if (!status[i].estimate.is_null()) j["nodes"][i]["estimate"] = status[i].estimate;
      }
      fmt::print("{}\n", j.dump(2));
    } else {
      fmt::print("{}", plan_text(*graph, cached));
      std::string to_run;
      for (size_t i = 0; i < graph->nodes.size(); ++i)
        if (!status[i].cached)
          to_run += fmt::format("  {} {}: {}{}\n", graph->nodes[i].kind, graph->nodes[i].id, status[i].why,
                                estimate_text(status[i].estimate));
      if (!to_run.empty()) fmt::print("\nto run:\n{}", to_run);
    }
    exit_code = 0;
  });
}

}  // namespace sftx::cli
