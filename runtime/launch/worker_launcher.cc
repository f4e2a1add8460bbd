#include "runtime/launch/worker_launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fmt/core.h>

#include "runtime/base/strings.h"
#include "runtime/launch/rank_env.h"

namespace sftx::rt {

// slurm_launcher.cc: srun --ntasks N inside the Slurm job this process runs in.
std::unique_ptr<WorkerLauncher> make_slurm_launcher(int world_size);

namespace {

class LocalLauncher : public WorkerLauncher {
 public:
  std::string name() const override { return "local"; }
  int world_size() const override { return 1; }
  // One rank of one: said explicitly, so a driver that itself runs inside an srun task or under
  // torchrun does not hand its own rank variables to a worker that trains alone.
  nlohmann::json run(const WorkerCall& call) override {
    WorkerProcessSpec only;
    only.env = {{rank_env_names::kRank, "0"}, {rank_env_names::kWorldSize, "1"}, {rank_env_names::kLocalRank, "0"}};
    return run_worker_group(call, {only});
  }
};

// The cores of this machine: one rank per core at most, since every rank trains all the time.
int machine_cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

class MultiRankLocalLauncher : public WorkerLauncher {
 public:
  explicit MultiRankLocalLauncher(int world_size) : world_size_(world_size) {}
  std::string name() const override { return "multi-rank local"; }
  int world_size() const override { return world_size_; }

  nlohmann::json run(const WorkerCall& call) override {
    const int port = pick_free_port("127.0.0.1");
    // Ranks share the cores: without a thread count, each would start one torch thread per core.
    const char* threads = std::getenv("SFTX_NUM_THREADS");
    const std::string per_rank = std::to_string(std::max(1, machine_cores() / world_size_));
    std::vector<WorkerProcessSpec> ranks;
    for (int r = 0; r < world_size_; ++r) {
      WorkerProcessSpec p;
      p.env = rank_environment(r, world_size_, r, world_size_, "127.0.0.1", port);
      if (!threads || !*threads) p.env.emplace_back("SFTX_NUM_THREADS", per_rank);
      p.label = fmt::format("rank {} of {}", r, world_size_);
      ranks.push_back(std::move(p));
    }
    return run_worker_group(call, ranks);
  }

 private:
  int world_size_;
};

std::unique_ptr<WorkerLauncher> make_local(int world_size) {
  if (world_size != 1)
    throw LaunchRefused(fmt::format("the local launcher runs one process; {} ranks need the multi-rank local "
                                    "launcher (sftx run --nproc {})",
                                    world_size, world_size));
  return std::make_unique<LocalLauncher>();
}

std::unique_ptr<WorkerLauncher> make_multi_rank_local(int world_size) {
  const int cores = machine_cores();
  if (world_size < 1 || world_size > cores)
    throw LaunchRefused(fmt::format("--nproc {}: this machine has {} core(s); one machine runs 1 to {} ranks "
                                    "(more machines: docs/distributed.md, torchrun or Slurm)",
                                    world_size, cores, cores));
  return std::make_unique<MultiRankLocalLauncher>(world_size);
}

// The table of launchers. A new launcher is one file and one row here (see the header).
struct LauncherEntry {
  const char* name;
  std::unique_ptr<WorkerLauncher> (*make)(int world_size);
};
const LauncherEntry kLaunchers[] = {
    {"local", make_local},
    {"multi-rank local", make_multi_rank_local},
    {"slurm", make_slurm_launcher},
};

}  // namespace

std::vector<std::string> worker_launcher_names() {
  std::vector<std::string> names;
  for (const auto& e : kLaunchers) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<WorkerLauncher> make_worker_launcher(const std::string& name, int world_size) {
  if (world_size < 1) throw LaunchRefused(fmt::format("--nproc {}: a training needs at least 1 rank", world_size));
  const std::string chosen = !name.empty() ? name : world_size == 1 ? "local" : "multi-rank local";
  for (const auto& e : kLaunchers)
    if (chosen == e.name) return e.make(world_size);
  throw LaunchRefused(fmt::format("unknown worker launcher '{}' (known: {})", chosen, join_names(worker_launcher_names())));
}

void check_worker_launcher(const std::string& name, int world_size) { make_worker_launcher(name, world_size); }

int pick_free_port(const std::string& addr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw WorkerError(fmt::format("cannot open a socket to find a free port: {}", std::strerror(errno)));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = 0;
  if (::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1) {
    ::close(fd);
    throw WorkerError(fmt::format("'{}' is not an IPv4 address", addr));
  }
  socklen_t len = sizeof sa;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    int e = errno;
    ::close(fd);
    throw WorkerError(fmt::format("cannot bind a socket on {} to find a free port: {}", addr, std::strerror(e)));
  }
  ::close(fd);
  return ntohs(sa.sin_port);
}

std::vector<std::pair<std::string, std::string>> rank_environment(int rank, int world_size, int local_rank,
                                                                  int local_world_size, const std::string& master_addr,
                                                                  int master_port) {
  namespace n = rank_env_names;
  return {{n::kRank, std::to_string(rank)},
          {n::kWorldSize, std::to_string(world_size)},
          {n::kLocalRank, std::to_string(local_rank)},
          {n::kLocalWorldSize, std::to_string(local_world_size)},
          {n::kMasterAddr, master_addr},
          {n::kMasterPort, std::to_string(master_port)},
          // Not served by a torchrun agent: rank 0 serves the rendezvous (in case the driver itself
          // runs under torchrun and would pass its own value on).
          {"TORCHELASTIC_USE_AGENT_STORE", ""}};
}

}  // namespace sftx::rt
