// sftx graph FILE [EXPERIMENT]: the experiment graph as Graphviz dot.
#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/front/plan_build.h"
#include "interpreter/front/plan_print.h"

namespace sftx::cli {

void add_graph_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("graph", "Print the experiment graph as Graphviz dot");
  cmd->description(
      "Print the de-duplicated graph of a .sftx file (the nodes of `sftx plan`) in Graphviz dot:\n"
      "data nodes as notes, training stages as boxes, evaluations as ellipses, reports as\n"
      "octagons; an edge from each input to its user.\n\n"
      "Example:\n"
      "  sftx graph experiments/k_sweep.sftx | dot -Tsvg > k_sweep.svg");
  auto file = std::make_shared<std::string>();
  auto experiment = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "the .sftx file")->required();
  cmd->add_option("EXPERIMENT", *experiment, "only this experiment (default: all of the file's)");
  cmd->add_option("--profile", *profile, "apply this [profile.NAME] of sftx.toml");
  cmd->callback([&exit_code, file, experiment, profile] {
    Diagnostics diags;
    CheckOptions options;
    options.profile = *profile;
    auto checked = check_file(*file, diags, options);
    std::optional<PlanGraph> graph;
    if (checked) graph = build_plan_graph(*checked, *experiment, diags);
    if (!diags.empty()) fmt::print(stderr, "{}", diags.render(isatty(fileno(stderr)) != 0));
    if (!graph) {
      exit_code = 1;
      return;
    }
    fmt::print("{}", plan_dot(*graph));
    exit_code = 0;
  });
}

}  // namespace sftx::cli
