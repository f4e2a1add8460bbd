// sftx run FILE [EXPERIMENT]: build the experiment graph and execute it on the cache, with a
// live progress display; writes runs/<experiment>/<timestamp>/run.json and prints the table.
#include <unistd.h>

#include <cstdio>
#include <thread>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/exec/claims.h"
#include "interpreter/exec/graph.h"
#include "interpreter/exec/node_runner.h"
#include "interpreter/exec/run_plan.h"
#include "interpreter/front/check.h"
#include "interpreter/front/plan_build.h"
#include "runtime/launch/worker_launcher.h"

namespace sftx::cli {

namespace {

struct RunArgs {
  std::string file;
  std::string experiment;
  std::string profile;
  std::string device;
  std::string cache;
  bool keep_going = false;
  int jobs = 0;
  int nproc = -1;  // -1: not given
};

int run_command(const RunArgs& a) {
  bool color = isatty(fileno(stderr)) != 0;
  Diagnostics diags;
  CheckOptions check_options;
  check_options.profile = a.profile;
  auto checked = check_file(a.file, diags, check_options);
  std::optional<PlanGraph> plan;
  if (checked) plan = build_plan_graph(*checked, a.experiment, diags);
  if (!diags.empty()) fmt::print(stderr, "{}", diags.render(color));
  if (!checked || !plan) return 1;

  // Ranks per training stage: --nproc, else the profile's nproc, else 1. Refused before any node
  // runs when this machine cannot start them (usage error, exit 2).
  int nproc = 1;
  if (a.nproc != -1) {
    nproc = a.nproc;
  } else if (auto p = checked->config.profiles.find(a.profile); !a.profile.empty() && p != checked->config.profiles.end() &&
                                                                  p->second.nproc) {
    nproc = *p->second.nproc;
  }
  try {
    rt::check_worker_launcher("", nproc);
  } catch (const rt::LaunchRefused& e) {
    fmt::print(stderr, "sftx run: error: {}\n", e.what());
    return 2;
  }

  exec::RunPlanOptions o;
  o.cache_dir = a.cache.empty() ? checked->config.cache_dir : std::filesystem::absolute(a.cache);
  o.runs_dir = checked->config.runs_dir;
  o.file = a.file;
  o.profile = a.profile;
  o.device = a.device.empty() ? checked->config.device : a.device;
  if (o.device != "cpu" && o.device != "cuda") {
    fmt::print(stderr, "sftx run: error: device '{}' is not cpu or cuda\n", o.device);
    return 2;
  }
  o.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  o.keep_going = a.keep_going;
  o.progress_out = stderr;
  o.progress_tty = color;
  exec::RunSettings settings;
  settings.device.kind = o.device == "cuda" ? rt::DeviceKind::cuda : rt::DeviceKind::cpu;
  settings.nproc = nproc;
  o.node_fn = exec::make_node_runner(settings);

  exec::RunPlanResult result = exec::run_plan(*plan, o);
  for (const auto& x : result.experiments) {
    if (!x.markdown.empty()) fmt::print("\n## {}\n\n{}", x.name, x.markdown);
    if (!x.claims.empty()) {
      // Printed even when the table is missing (a failed node): those claims are inconclusive.
      fmt::print("\nclaims of {}:\n{}rule: {}\n", x.name, exec::claims_text(x.claims), exec::kClaimRule);
    }
    fmt::print(stderr, "run record: {}\n", (x.run_dir / "run.json").string());
  }
  if (!result.ok) {
    size_t failed = 0;
    for (const auto& r : result.runs) failed += r.status == exec::NodeStatus::failed;
    fmt::print(stderr, "sftx run: {} node(s) failed; see the errors above and run.json\n", failed);
    // Failures caused only by the input (a data file's broken line) are the user's to fix:
    // exit 1 as the contract (§8) says for a diagnosed user error; anything else is 3.
    bool only_input = failed > 0;
    for (const auto& r : result.runs)
      if (r.status == exec::NodeStatus::failed && !r.input_error) only_input = false;
    return only_input ? 1 : 3;
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "Execute an experiment: data, training, evaluation, table");
  cmd->description(
      "Build the experiment graph of FILE and run every node that is not already in the cache.\n"
      "Identical stages anywhere (across plans and files) are trained once; a stage killed\n"
      "mid-training resumes from its last checkpoint on the next run. Writes\n"
      "runs/<experiment>/<timestamp>/run.json (runs/<experiment>/latest points at it), the\n"
      "training metrics, evaluation results and the report table, and prints the table and the\n"
      "verdict of each claim (expect \"...\" { ... }): holds, fails or inconclusive.\n\n"
      "Examples:\n"
      "  sftx run experiments/quickstart.sftx\n"
      "  sftx run experiments/k_sweep.sftx k_sweep --profile smoke --jobs 2\n"
      "  sftx run study.sftx --cache /scratch/sftx-cache --keep-going\n"
      "  sftx run study.sftx --nproc 4     # each training stage on 4 data-parallel ranks\n\n"
      "--nproc N trains every stage with N processes on this machine (Gloo on the CPU, NCCL on\n"
      "GPUs), the global batch split between them; the stage keys, and so the cache, do not\n"
      "change with N. Several machines: docs/distributed.md.\n\n"
      "Exit status: 0 all nodes done, 1 errors in the input (the program, or a data file's\n"
      "malformed line found while running), 2 usage error (e.g. --nproc 0, or more ranks than\n"
      "this machine has cores), 3 a node failed for another reason.");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("FILE", a->file, "the .sftx file")->required();
  cmd->add_option("EXPERIMENT", a->experiment, "run only this experiment (default: all of the file's)");
  cmd->add_option("--profile", a->profile, "apply this [profile.NAME] of sftx.toml");
  cmd->add_option("--device", a->device, "cpu or cuda (default: sftx.toml's device, else cpu)");
  cmd->add_option("--cache", a->cache, "cache directory (default: sftx.toml's cache)");
  cmd->add_option("--nproc", a->nproc,
                  "data-parallel ranks per training stage, 1 to the core count (default: the profile's "
                  "nproc, else 1)");
  cmd->add_flag("--keep-going", a->keep_going, "after a failure, still run every node that does not depend on it");
  cmd->add_option("--jobs", a->jobs, "nodes run at once (default: the core count, at least 2); training runs one at a time")
      ->check(CLI::PositiveNumber);
  cmd->callback([&exit_code, a] {
    try {
      exit_code = run_command(*a);
    } catch (const exec::GraphError& e) {
      fmt::print(stderr, "sftx run: internal error in the experiment graph: {}\n", e.what());
      exit_code = 3;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx run: error: {}\n", e.what());
      exit_code = 3;
    }
  });
}

}  // namespace sftx::cli
