// sftx _node STATE ID: the body of one Slurm job of `sftx run --executor slurm` (not for
// people: hidden from --help). Runs node ID of the frozen plan beside STATE (slurm.json) on
// the run's cache, and writes the node's result file for the waiting `sftx run`/`sftx status`.
// A training node submitted with several tasks (`sftx run --executor slurm --nproc N`) trains
// with the slurm launcher: `srun --ntasks N sftx-worker train ...` inside this job.
#include <fmt/core.h>

#include "commands.h"
#include "interpreter/exec/node_runner.h"
#include "interpreter/exec/slurm_run.h"

namespace sftx::cli {

void add_node_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("_node", "run one node of a Slurm run (used by its batch jobs)");
  cmd->group("");  // hidden
  auto state = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  cmd->add_option("STATE", *state, "the run's slurm.json")->required();
  cmd->add_option("ID", *id, "the node id")->required();
  cmd->callback([&exit_code, state, id] {
    try {
      exec::SlurmRun run = exec::SlurmRun::load(*state);
      exec::RunSettings settings;
      settings.device.kind = run.device == "cuda" ? rt::DeviceKind::cuda : rt::DeviceKind::cpu;
      settings.nproc = run.entry(*id).ntasks;
      if (settings.nproc > 1) settings.launcher = "slurm";
      exit_code = exec::run_slurm_node(*state, *id, exec::make_node_runner(settings), stderr);
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx _node: error: {}\n", e.what());
      exit_code = 3;
    }
  });
}

}  // namespace sftx::cli
