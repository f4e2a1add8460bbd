// sftx cancel RUN: cancel the Slurm jobs of a run that have not ended, and record the outcome.
#include <chrono>
#include <thread>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/exec/slurm_run.h"

namespace sftx::cli {

namespace {

int cancel_command(const std::string& where) {
  exec::SlurmRun run = exec::SlurmRun::load(where);
  exec::SlurmClient client;
  std::vector<std::string> cancelled = exec::cancel_run(run, client);
  // Slurm ends the jobs asynchronously: wait (bounded) until none is left running, so the
  // record written below is final.
  exec::SlurmProgress p;
  for (int i = 0; i < 60; ++i) {
    p = exec::refresh_run(run, client);
    if (p.finished) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  exec::record_run(run, p);
  std::string ids;
  for (const auto& id : cancelled) ids += (ids.empty() ? "" : " ") + id;
  fmt::print("cancelled {} job(s){}{}\n", cancelled.size(), ids.empty() ? "" : ": ", ids);
  if (!p.finished) fmt::print(stderr, "sftx cancel: some jobs are still ending; `sftx status {}` shows them\n", where);
  fmt::print(stderr, "run record: {}\n", (run.run_dirs.front() / "run.json").string());
  return 0;
}

}  // namespace

void add_cancel_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("cancel", "Cancel the Slurm jobs of a run that have not ended");
  cmd->description(
      "scancel every job of a run submitted with `sftx run --executor slurm` that is still\n"
      "pending or running, then write the run's run.json: the cancelled nodes fail, their\n"
      "dependents are skipped. Nodes already in the cache stay there; a cancelled training stage\n"
      "resumes from its last checkpoint when the file is run again.\n\n"
      "Example:\n"
      "  sftx cancel runs/k_sweep/latest\n\n"
      "Exit status: 0 cancelled (or nothing left to cancel), 2 RUN is not a Slurm run,\n"
      "3 Slurm refused.");
  auto run = std::make_shared<std::string>();
  cmd->add_option("RUN", *run, "the run directory")->required();
  cmd->callback([&exit_code, run] {
    try {
      exit_code = cancel_command(*run);
    } catch (const exec::SlurmError& e) {
      fmt::print(stderr, "sftx cancel: error: {}\n", e.what());
      exit_code = 3;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx cancel: error: {}\n", e.what());
      exit_code = 2;
    }
  });
}

}  // namespace sftx::cli
