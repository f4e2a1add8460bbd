// Which rank of a data-parallel training this process is, read from the environment its launcher
// gave it. No torch here: the driver's launchers write these variables, the worker reads them.
//
// Two dialects, the first one present wins:
//   torchrun    RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (what `torchrun` and
//               sftx's own multi-rank launcher set)
//   Slurm       SLURM_PROCID -> rank, SLURM_NTASKS -> world size, SLURM_LOCALID -> local rank
//               (what `srun --ntasks N` sets); MASTER_ADDR/MASTER_PORT must still be exported
//               by whoever calls srun (sbatch script, or the slurm launcher)
// Neither present: a single process (rank 0 of 1), no rendezvous.
//
// TORCHELASTIC_USE_AGENT_STORE=True (set by torchrun's elastic agent) means the agent already
// serves the TCPStore on MASTER_PORT: every rank, rank 0 included, must then connect as a client.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace sftx::rt {

struct RankEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr;  // empty when world_size == 1
  int master_port = 0;
  bool agent_store = false;   // TORCHELASTIC_USE_AGENT_STORE: rank 0 is a store client too
  std::string source = "none";  // "torchrun", "slurm" or "none": named in error messages
};

// A launcher environment that cannot describe a valid group (RANK >= WORLD_SIZE, a port that is
// not a number, MASTER_ADDR missing with several ranks): the message names the variable.
struct RankEnvError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads the process environment (getenv) unless `lookup` is given (tests).
RankEnv read_rank_env(const EnvLookup& lookup = {});

// The environment variable names a launcher sets for one rank (torchrun's dialect).
namespace rank_env_names {
inline constexpr const char* kRank = "RANK";
inline constexpr const char* kWorldSize = "WORLD_SIZE";
inline constexpr const char* kLocalRank = "LOCAL_RANK";
inline constexpr const char* kLocalWorldSize = "LOCAL_WORLD_SIZE";
inline constexpr const char* kMasterAddr = "MASTER_ADDR";
inline constexpr const char* kMasterPort = "MASTER_PORT";
}  // namespace rank_env_names

}  // namespace sftx::rt
