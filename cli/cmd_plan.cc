// sftx plan FILE [EXPERIMENT] [--profile P] [--json]: the expanded, de-duplicated graph.
#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/front/plan_build.h"
#include "interpreter/front/plan_print.h"

namespace sftx::cli {

namespace {

// Whether a node's key is already in the cache. The executor's cache store plugs in here;
// until then nothing is cached.
CachedFn cache_status(const CheckedProgram& program) {
  (void)program;
  return {};
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
  auto json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "the .sftx file")->required();
  cmd->add_option("EXPERIMENT", *experiment, "only this experiment (default: all of the file's)");
  cmd->add_option("--profile", *profile, "apply this [profile.NAME] of sftx.toml");
  cmd->add_flag("--json", *json, "print {\"nodes\": [...], \"experiments\": [...]} instead of the tree");
  cmd->callback([&exit_code, file, experiment, profile, json] {
    Diagnostics diags;
    CheckOptions options;
    options.profile = *profile;
    bool color = isatty(fileno(stderr)) != 0;
    auto checked = check_file(*file, diags, options);
    std::optional<PlanGraph> graph;
    if (checked) graph = build_plan_graph(*checked, *experiment, diags);
    if (!diags.empty()) fmt::print(stderr, "{}", diags.render(color));
    if (!graph) {
      exit_code = 1;
      return;
    }
    CachedFn cached = cache_status(*checked);
    if (*json) fmt::print("{}\n", plan_json(*graph, cached).dump(2));
    else fmt::print("{}", plan_text(*graph, cached));
    exit_code = 0;
  });
}

}  // namespace sftx::cli
