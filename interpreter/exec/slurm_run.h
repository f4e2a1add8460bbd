// The Slurm executor: a plan graph as Slurm batch jobs, one per node that is not already in
// the cache, each depending (afterok) on its inputs' jobs.
//
// Submission (submit_plan) checks everything first — Slurm reachable, the partition known, the
// cache, the runs directory and the sftx binaries on a filesystem every node shares
// (shared_fs.h) — then writes the run directory and submits every job held, releasing them
// only once all were accepted: a refusal half-way cancels those already queued and removes
// the run directory, so nothing is left half-submitted.
//
//   runs/<experiment>/<timestamp>/           the first experiment's run directory holds
//     slurm.json                             the submission: cache, jobs, run directories
//                                            (a copy in each other experiment's run directory)
//     plan.json                              the frozen plan graph the jobs run
//     jobs/<node>.sh                         each job's batch script: `sftx _node slurm.json ID`
//                                            (a multi-rank training stage: `sbatch --ntasks N`,
//                                            and the job trains through `srun --ntasks N`,
//                                            runtime/launch/slurm_launcher.cc)
//     jobs/<node>.log                        its stdout and stderr
//     jobs/<node>.result.json                what the node did (written by the job at its end)
//     run.json                               as for a local run, with each node's "job"
//
// A job runs its node with the same cache protocol as a local run (executor.h: check, lock,
// check again, build, commit); its inputs come from the cache. Its state comes from
// the result file, else from Slurm (squeue/scontrol): a job cancelled or failed before
// writing a result fails its node, and a node whose input failed or was skipped is skipped
// (its job, which can never start, is cancelled). Nodes independent of a failure still run:
// their jobs were queued at submission (like `sftx run --keep-going`).
#pragma once

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/executor.h"
#include "interpreter/exec/run_plan.h"
#include "interpreter/exec/slurm_client.h"
#include "interpreter/front/plan_graph.h"

namespace sftx::exec {

struct SlurmSettings {  // [executor] of sftx.toml
  std::string partition;
  std::string account;
  std::string time;
  int cpus_per_task = 0;
  int gpus_per_task = 0;
  std::vector<std::string> sbatch_args;
  bool shared_filesystem = false;  // skip the shared-filesystem check
};

struct SlurmSubmitOptions {
  std::filesystem::path cache_dir;
  std::filesystem::path runs_dir;
  std::string file;
  std::string profile;
  std::string device = "cpu";
  // Data-parallel ranks per training stage (sftx run --nproc): a training node's job asks for
  // this many tasks and trains with the slurm launcher. Refused before anything is submitted
  // when the partition has fewer CPUs than nproc × cpus_per_task.
  int nproc = 1;
  SlurmSettings slurm;
  std::filesystem::path sftx_bin;  // what the jobs run (this binary)
  std::filesystem::path workdir;   // the jobs' working directory
};

// A problem found before anything was submitted.
class SlurmSetupError : public std::runtime_error {
 public:
  // too_many_ranks: --nproc above what the partition can give (a usage error, exit 2).
  enum class Kind { unavailable, partition, not_shared, refused, too_many_ranks };
  SlurmSetupError(Kind kind, const std::string& message) : std::runtime_error(message), kind(kind) {}
  Kind kind;
};

struct SlurmNodeEntry {
  std::string id;
  bool reused = false;          // in the cache at submission: no job
  std::string job_id;
  std::filesystem::path log;    // absolute
  std::filesystem::path result; // absolute
  int ntasks = 1;               // the job's tasks: the ranks its training stage trains with
};

// slurm.json and plan.json of one submission.
struct SlurmRun {
  std::filesystem::path state_file;                 // <first run dir>/slurm.json
  std::vector<std::filesystem::path> run_dirs;      // per experiment of the plan
  std::filesystem::path cache_dir;
  std::string file, profile, device, started;
  PlanGraph plan;
  std::vector<SlurmNodeEntry> nodes;                // parallel to plan.nodes

  // Reads RUN/slurm.json (RUN: a run directory of any of the submission's experiments, a
  // `latest` link, or the slurm.json itself). Throws std::runtime_error naming what is wrong.
  static SlurmRun load(const std::filesystem::path& run);
  void save() const;
  std::vector<std::string> job_ids() const;
  // The entry of node `id`; throws std::runtime_error when the run has none.
  const SlurmNodeEntry& entry(const std::string& id) const;
};

// Checks, writes the run directories and submits. Throws SlurmSetupError (nothing submitted).
SlurmRun submit_plan(const PlanGraph& plan, const SlurmSubmitOptions& options, const SlurmClient& client);

struct SlurmProgress {
  std::vector<NodeRun> runs;    // per node; pending/running while the jobs are
  bool finished = false;        // every node executed, reused, failed or skipped
};

// Asks Slurm and the result files where each node is; cancels jobs that can never run.
SlurmProgress refresh_run(const SlurmRun& run, const SlurmClient& client);

// Writes every experiment's run.json from the node states (status "running" while jobs are).
RunPlanResult record_run(const SlurmRun& run, const SlurmProgress& progress);

// Waits for the jobs, printing each node as it finishes and the lines its job logs; then
// writes the final records.
RunPlanResult wait_for_run(const SlurmRun& run, const SlurmClient& client, std::FILE* out, double poll_seconds);

// Cancels every job of the run that has not finished; returns the ids cancelled.
std::vector<std::string> cancel_run(const SlurmRun& run, const SlurmClient& client);

// The body of one job (`sftx _node STATE ID`): runs the node, writes its result file.
// Returns the exit status: 0 done, 1 failed on the user's input, 3 failed otherwise.
int run_slurm_node(const std::filesystem::path& state_file, const std::string& node_id, const NodeFn& fn,
                   std::FILE* log);

}  // namespace sftx::exec
