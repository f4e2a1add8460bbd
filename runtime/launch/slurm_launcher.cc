// The "slurm" launcher: world_size ranks as the tasks of one `srun` step inside the Slurm job
// this process runs in (the batch job `sftx run --executor slurm` submits with
// `sbatch --ntasks N` for a multi-rank stage; see docs/distributed.md).
//
//   srun --ntasks=N --kill-on-bad-exit=1 --gpu-bind=none [--cpus-per-task=C] sftx-worker train REQUEST.json
//
// srun gives each task SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID, which the worker reads as
// its rank, world size and local rank (rank_env.h). What srun does not give, this launcher
// exports for every task: MASTER_ADDR, where task 0 serves the rendezvous (the job's first node,
// where Slurm runs the batch script and task 0; 127.0.0.1 when the job has one node), and a
// MASTER_PORT free on this machine. It blanks torchrun's RANK/WORLD_SIZE/LOCAL_RANK, which
// would win over Slurm's. srun is one process to run_worker_group: it merges its tasks'
// stdout, which only rank 0 writes to, and --kill-on-bad-exit ends every task when one fails,
// so a dead rank fails the step instead of hanging it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "runtime/launch/rank_env.h"
#include "runtime/launch/worker_launcher.h"

namespace sftx::rt {

namespace {

const char* env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// The absolute path of `program` on PATH, or "" (execve needs a path; no shell is involved).
std::string find_on_path(const std::string& program) {
  const char* path = env_or_null("PATH");
  if (!path) return {};
  std::string dirs = path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

// The host names of a Slurm node list ("node[01-03],gpu7"), as `scontrol show hostnames`
// expands it; empty when it cannot be asked (then the caller falls back to this host).
std::vector<std::string> expand_nodelist(const std::string& nodelist) {
  if (nodelist.empty() || nodelist.find('\'') != std::string::npos || find_on_path("scontrol").empty()) return {};
  std::vector<std::string> hosts;
  std::FILE* p = ::popen(("scontrol show hostnames '" + nodelist + "' 2>/dev/null").c_str(), "r");
  if (!p) return {};
  char line[512];
  while (std::fgets(line, sizeof line, p)) {
    std::string h = line;
    while (!h.empty() && (h.back() == '\n' || h.back() == '\r' || h.back() == ' ')) h.pop_back();
    if (!h.empty()) hosts.push_back(h);
  }
  if (::pclose(p) != 0) return {};
  return hosts;
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !name[0]) return "127.0.0.1";
  return name;
}

class SlurmLauncher : public WorkerLauncher {
 public:
  SlurmLauncher(int world_size, std::string srun) : world_size_(world_size), srun_(std::move(srun)) {}
  std::string name() const override { return "slurm"; }
  int world_size() const override { return world_size_; }

  nlohmann::json run(const WorkerCall& call) override {
    // Task 0 runs on the job's first node, as the batch script does; alone there, loopback.
    const char* list = env_or_null("SLURM_JOB_NODELIST");
    std::vector<std::string> hosts = expand_nodelist(list ? list : "");
    const std::string master = hosts.size() == 1 ? "127.0.0.1" : hosts.empty() ? this_host() : hosts.front();
    const int port = pick_free_port("0.0.0.0");

    namespace n = rank_env_names;
    WorkerProcessSpec step;
    step.env = {{n::kRank, ""},
                {n::kWorldSize, ""},
                {n::kLocalRank, ""},
                {n::kLocalWorldSize, ""},
                {"TORCHELASTIC_USE_AGENT_STORE", ""},
                {n::kMasterAddr, master},
                {n::kMasterPort, std::to_string(port)}};
    // Each task's torch threads: the CPUs Slurm gave the task (1 unless --cpus-per-task).
    const char* cpus = env_or_null("SLURM_CPUS_PER_TASK");
    if (!env_or_null("SFTX_NUM_THREADS")) step.env.emplace_back("SFTX_NUM_THREADS", cpus ? cpus : "1");

    WorkerCall srun = call;
    srun.executable = srun_;
    // --gpu-bind=none: every task sees all of the job's GPUs on its node and takes GPU
    // LOCAL_RANK (SLURM_LOCALID), as under torchrun. Bound per task (what --gpus-per-task does
    // by default), task 1 would see its own GPU as device 0 and ask for device 1.
    srun.args = {"--ntasks=" + std::to_string(world_size_), "--kill-on-bad-exit=1", "--gpu-bind=none"};
    if (cpus) srun.args.push_back(std::string("--cpus-per-task=") + cpus);
    srun.args.push_back(call.executable);
    srun.args.insert(srun.args.end(), call.args.begin(), call.args.end());
    srun.what = fmt::format("{} through srun --ntasks {} (MASTER_ADDR={} MASTER_PORT={})", call.what, world_size_,
                            master, port);
    return run_worker_group(srun, {step});
  }

 private:
  int world_size_;
  std::string srun_;
};

}  // namespace

std::unique_ptr<WorkerLauncher> make_slurm_launcher(int world_size) {
  if (!env_or_null("SLURM_JOB_ID"))
    throw LaunchRefused(fmt::format("the slurm launcher ({} ranks) runs inside a Slurm job, and this process is not "
                                    "in one (no SLURM_JOB_ID): use sftx run --executor slurm --nproc {}, or "
                                    "--nproc {} without Slurm",
                                    world_size, world_size, world_size));
  std::string srun = find_on_path("srun");
  if (srun.empty())
    throw LaunchRefused(fmt::format("the slurm launcher ({} ranks) needs 'srun', which is not on PATH of this "
                                    "Slurm job (on {})",
                                    world_size, this_host()));
  // A job submitted with fewer tasks cannot start more: srun would refuse only once training starts.
  if (const char* tasks = env_or_null("SLURM_NTASKS"); tasks && std::atoi(tasks) < world_size)
    throw LaunchRefused(fmt::format("the Slurm job {} has {} task(s) (SLURM_NTASKS), fewer than the {} ranks asked "
                                    "for: submit it with sbatch --ntasks {}",
                                    env_or_null("SLURM_JOB_ID"), tasks, world_size, world_size));
  return std::make_unique<SlurmLauncher>(world_size, srun);
}

}  // namespace sftx::rt
