#include "runtime/launch/rank_env.h"

#include <map>

#include <catch2/catch.hpp>

using namespace sftx::rt;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  auto held = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [held](const char* name) -> const char* {
    auto it = held->find(name);
    return it == held->end() ? nullptr : it->second.c_str();
  };
}

}  // namespace

TEST_CASE("no launcher variables: one process, no rendezvous", "[rank_env]") {
  RankEnv e = read_rank_env(env_of({}));
  CHECK(e.rank == 0);
  CHECK(e.world_size == 1);
  CHECK(e.master_addr.empty());
  CHECK(e.source == "none");
}

TEST_CASE("torchrun's variables give rank, world and rendezvous", "[rank_env]") {
  RankEnv e = read_rank_env(env_of({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"},
                                    {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29500"},
                                    {"TORCHELASTIC_USE_AGENT_STORE", "True"}}));
  CHECK(e.rank == 3);
  CHECK(e.world_size == 4);
  CHECK(e.local_rank == 1);
  CHECK(e.master_addr == "node7");
  CHECK(e.master_port == 29500);
  CHECK(e.agent_store);
  CHECK(e.source == "torchrun");
}

TEST_CASE("Slurm's task variables map to rank, world and local rank", "[rank_env]") {
  RankEnv e = read_rank_env(env_of({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"SLURM_LOCALID", "0"},
                                    {"MASTER_ADDR", "10.0.0.5"}, {"MASTER_PORT", "31000"}}));
  CHECK(e.rank == 1);
  CHECK(e.world_size == 2);
  CHECK(e.local_rank == 0);
  CHECK(e.source == "slurm");
  CHECK_FALSE(e.agent_store);
  // torchrun's names win where both are present (a driver inside an sbatch job running ranks itself).
  RankEnv both = read_rank_env(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}, {"RANK", "0"}, {"WORLD_SIZE", "1"}}));
  CHECK(both.world_size == 1);
  CHECK(both.source == "torchrun");
}

TEST_CASE("a launcher environment that describes no valid group is refused, naming the variable", "[rank_env]") {
  CHECK_THROWS_WITH(read_rank_env(env_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}})),
                    Catch::Contains("rank 2 is not below the world size 2"));
  CHECK_THROWS_WITH(read_rank_env(env_of({{"RANK", "0"}})), Catch::Contains("RANK and WORLD_SIZE must be set together"));
  CHECK_THROWS_WITH(read_rank_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "two"}})),
                    Catch::Contains("WORLD_SIZE='two' is not a whole number"));
  CHECK_THROWS_WITH(read_rank_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}})),
                    Catch::Contains("need MASTER_ADDR and MASTER_PORT"));
  CHECK_THROWS_WITH(
      read_rank_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}})),
      Catch::Contains("MASTER_PORT='70000' is not a whole number from 1 to 65535"));
  CHECK_THROWS_WITH(read_rank_env(env_of({{"SLURM_NTASKS", "2"}})), Catch::Contains("SLURM_PROCID and SLURM_NTASKS"));
}
