// sftx status RUN: where the Slurm jobs of a run are; once they are all done, the final
// run.json, tables and claims, as `sftx run` would have printed them.
#include <fmt/core.h>

#include "commands.h"
#include "interpreter/exec/progress_display.h"
#include "interpreter/exec/slurm_run.h"
#include "run_outcome.h"

namespace sftx::cli {

namespace {

struct StatusArgs {
  std::string run;
  bool wait = false;
  double poll = 5;
};

int status_command(const StatusArgs& a) {
  exec::SlurmRun run = exec::SlurmRun::load(a.run);
  exec::SlurmClient client;
  if (a.wait) return print_run_outcome(exec::wait_for_run(run, client, stderr, a.poll), "sftx status");
  exec::SlurmProgress p = exec::refresh_run(run, client);
  size_t counts[6] = {};
  for (const auto& r : p.runs) ++counts[static_cast<int>(r.status)];
  fmt::print("run {} (Slurm): {}\n", run.state_file.parent_path().string(),
             p.finished ? "finished" : "in progress");
  fmt::print("  {:<9} {:<9} {:<12} {}\n", "STATUS", "JOB", "SLURM", "NODE");
  for (size_t v = 0; v < p.runs.size(); ++v) {
    const auto& r = p.runs[v];
    const auto& e = run.nodes[v];
    std::string state = r.job.is_null() ? "-" : r.job["state"].get<std::string>();
    fmt::print("  {:<9} {:<9} {:<12} {}\n", exec::to_string(r.status), e.job_id.empty() ? "-" : e.job_id, state, e.id);
    if (!r.error.empty()) fmt::print("            {}\n", r.error);
  }
  fmt::print("{} executed, {} reused, {} running, {} pending, {} failed, {} skipped\n",
             counts[int(exec::NodeStatus::executed)], counts[int(exec::NodeStatus::reused)],
             counts[int(exec::NodeStatus::running)], counts[int(exec::NodeStatus::pending)],
             counts[int(exec::NodeStatus::failed)], counts[int(exec::NodeStatus::skipped)]);
  exec::RunPlanResult result = exec::record_run(run, p);
  if (!p.finished) {
    for (const auto& r : p.runs)
      if (r.status == exec::NodeStatus::failed) return 3;
    return 0;
  }
  return print_run_outcome(result, "sftx status");
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("status", "Where the Slurm jobs of a run are (sftx run --executor slurm)");
  cmd->description(
      "Show each node of a run submitted with `sftx run --executor slurm`: its status (executed,\n"
      "reused, running, pending, failed, skipped), its Slurm job and the job's state, and bring\n"
      "the run's run.json up to date. When every job has ended, also print the tables and the\n"
      "claims' verdicts as `sftx run` does. RUN is the run directory `sftx run` printed (or\n"
      "runs/<experiment>/latest); each job's log is RUN/jobs/<node>.log.\n\n"
      "Examples:\n"
      "  sftx status runs/k_sweep/latest\n"
      "  sftx status runs/k_sweep/20260101T120000Z --wait\n\n"
      "Exit status: 0 finished with every node done, or still in progress without a failure;\n"
      "1 only input errors failed nodes; 2 RUN is not a Slurm run; 3 a node failed.");
  auto a = std::make_shared<StatusArgs>();
  cmd->add_option("RUN", a->run, "the run directory")->required();
  cmd->add_flag("--wait", a->wait, "wait for the jobs to end, printing each node as it finishes (like sftx run)");
  cmd->add_option("--poll", a->poll, "with --wait: seconds between looks at Slurm (default 5)")
      ->check(CLI::Range(0.2, 600.0));
  cmd->callback([&exit_code, a] {
    try {
      exit_code = status_command(*a);
    } catch (const exec::SlurmError& e) {
      fmt::print(stderr, "sftx status: error: {}\n", e.what());
      exit_code = 3;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx status: error: {}\n", e.what());
      exit_code = 2;
    }
  });
}

}  // namespace sftx::cli
