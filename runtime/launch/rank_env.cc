#include "runtime/launch/rank_env.h"

#include <cerrno>
#include <cstdlib>

#include <fmt/core.h>

namespace sftx::rt {
namespace {

// A whole number in [lo, hi] or an error naming the variable.
int int_var(const char* name, const char* text, long lo, long hi) {
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi)
    throw RankEnvError(fmt::format("{}='{}' is not a whole number from {} to {}", name, text, lo, hi));
  return static_cast<int>(v);
}

}  // namespace

RankEnv read_rank_env(const EnvLookup& lookup) {
  auto get = [&](const char* name) -> const char* {
    const char* v = lookup ? lookup(name) : std::getenv(name);
    return v && *v ? v : nullptr;
  };
  RankEnv env;
  const char *rank = get("RANK"), *world = get("WORLD_SIZE"), *local = get("LOCAL_RANK");
  if (!rank && !world) {
    rank = get("SLURM_PROCID"), world = get("SLURM_NTASKS"), local = get("SLURM_LOCALID");
    if (!rank && !world) return env;
    env.source = "slurm";
    if (!rank || !world) throw RankEnvError("SLURM_PROCID and SLURM_NTASKS must be set together (run under srun)");
    env.rank = int_var("SLURM_PROCID", rank, 0, 1 << 20);
    env.world_size = int_var("SLURM_NTASKS", world, 1, 1 << 20);
    env.local_rank = local ? int_var("SLURM_LOCALID", local, 0, 1 << 20) : 0;
  } else {
    env.source = "torchrun";
    if (!rank || !world) throw RankEnvError("RANK and WORLD_SIZE must be set together (as torchrun sets them)");
    env.rank = int_var("RANK", rank, 0, 1 << 20);
    env.world_size = int_var("WORLD_SIZE", world, 1, 1 << 20);
    env.local_rank = local ? int_var("LOCAL_RANK", local, 0, 1 << 20) : 0;
  }
  if (env.rank >= env.world_size)
    throw RankEnvError(fmt::format("rank {} is not below the world size {} ({} environment)", env.rank,
                                   env.world_size, env.source));
  if (env.world_size == 1) return env;
  const char* addr = get("MASTER_ADDR");
  const char* port = get("MASTER_PORT");
  if (!addr || !port)
    throw RankEnvError(fmt::format("{} ranks need MASTER_ADDR and MASTER_PORT: where rank 0 serves the rendezvous "
                                   "({} environment; export them before srun/torchrun)",
                                   env.world_size, env.source));
  env.master_addr = addr;
  env.master_port = int_var("MASTER_PORT", port, 1, 65535);
  const char* agent = get("TORCHELASTIC_USE_AGENT_STORE");
  env.agent_store = agent && (std::string(agent) == "True" || std::string(agent) == "true" || std::string(agent) == "1");
  return env;
}

}  // namespace sftx::rt
