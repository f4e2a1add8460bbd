// The seam where the driver starts sftx-worker: one interface, one implementation per way of
// starting it, chosen by name.
//
//   "local"             one process on this machine (world size 1): today's run_worker.
//   "multi-rank local"  world_size processes on this machine, torchrun-style: each gets RANK,
//                       WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a
//                       MASTER_PORT the driver found free; the first failure stops them all.
//   "slurm"             world_size tasks of one `srun --ntasks N` step inside the Slurm job this
//                       process runs in (slurm_launcher.cc): srun sets SLURM_PROCID/SLURM_NTASKS/
//                       SLURM_LOCALID, the launcher exports MASTER_ADDR (the job's first node)
//                       and a free MASTER_PORT. Refused outside a Slurm job or without srun.
//
// Every launcher runs the same `sftx-worker VERB REQUEST.json` (WorkerCall) in every process; the
// worker finds its rank in its environment (rank_env.h), joins the group itself, and rank 0
// alone answers on stdout (progress, result). So a launcher only decides *where and how* the
// processes start, and what environment each gets.
//
// Adding a launcher:
//   1. one file, runtime/launch/NAME_launcher.cc, with a class deriving from WorkerLauncher and a
//      factory `std::unique_ptr<WorkerLauncher> make_NAME_launcher(int world_size)`;
//   2. one row in kLaunchers (worker_launcher.cc) naming it.
// The helpers below (run_worker_group, pick_free_port, rank_environment) are what the existing
// launchers are made of; the Slurm launcher uses run_worker_group with one process (srun),
// since srun merges its tasks' stdout and only rank 0 writes there.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/launch/worker_process.h"

namespace sftx::rt {

// A world size or launcher this machine cannot honour, found before any process starts.
// Callers treat it as a usage error (sftx exits 2).
struct LaunchRefused : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class WorkerLauncher {
 public:
  virtual ~WorkerLauncher() = default;
  // "local", "multi-rank local", ...: named in errors and run records.
  virtual std::string name() const = 0;
  virtual int world_size() const = 0;
  // Starts `call` as world_size() processes and returns rank 0's result object. Throws
  // WorkerError (as run_worker) when any process fails; never leaves a process behind.
  virtual nlohmann::json run(const WorkerCall& call) = 0;
};

// The launcher `name` for `world_size` processes; name "" chooses: "local" for 1, "multi-rank
// local" above. Throws LaunchRefused for an unknown name or a world size the launcher cannot
// start (the message says what the limit is and why).
std::unique_ptr<WorkerLauncher> make_worker_launcher(const std::string& name, int world_size);

// Checks what make_worker_launcher would, without keeping the launcher: for `sftx run` to refuse
// bad input before anything runs.
void check_worker_launcher(const std::string& name, int world_size);

// The launcher names make_worker_launcher knows, for help texts and errors.
std::vector<std::string> worker_launcher_names();

// A TCP port on `addr` that nothing listens on now (bound to port 0, then released): where rank 0
// will serve the rendezvous. Throws WorkerError when no socket can be bound.
int pick_free_port(const std::string& addr = "127.0.0.1");

// torchrun's variables for one rank on one machine.
std::vector<std::pair<std::string, std::string>> rank_environment(int rank, int world_size, int local_rank,
                                                                  int local_world_size, const std::string& master_addr,
                                                                  int master_port);

}  // namespace sftx::rt
