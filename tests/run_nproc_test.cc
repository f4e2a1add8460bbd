// `sftx run --nproc N`: training stages on N data-parallel ranks of this machine; the stage keys
// (and so the cache) do not depend on N; a world size the machine cannot start is a usage error.
#include <thread>

#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;

TEST_CASE("run --nproc: a world size the machine cannot start is refused before any node runs", "[run][e2e][ddp]") {
  RunProject p;
  p.write("small.sftx", small_dmt_source());
  CommandResult zero = p.sftx("run small.sftx --profile tiny --nproc 0");
  CHECK(zero.rc == 2);
  CHECK_THAT(zero.err, Catch::Contains("sftx run: error: --nproc 0: a training needs at least 1 rank"));
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  CommandResult many = p.sftx("run small.sftx --profile tiny --nproc " + std::to_string(cores + 1));
  CHECK(many.rc == 2);
  CHECK_THAT(many.err, Catch::Contains("this machine has " + std::to_string(cores) + " core(s)"));
  CHECK_FALSE(std::filesystem::exists(p.cache() / "objects"));  // nothing ran
  CHECK(p.sftx("run --help").out.find("--nproc") != std::string::npos);
}

TEST_CASE("run --nproc 2 trains on 2 ranks, a 1-rank run reuses every node", "[run][e2e][ddp]") {
  if (std::thread::hardware_concurrency() < 2) {
    WARN("skipped: needs 2 cores for 2 ranks");
    return;
  }
  RunProject p;
  p.write("small.sftx", small_dmt_source());
  CommandResult two = p.sftx("run small.sftx --profile tiny --nproc 2");
  INFO(two.err);
  REQUIRE(two.rc == 0);
  auto run = p.latest_run("small");
  auto trains = nodes_of(run, "train", "executed");
  REQUIRE(trains.size() == 2);
  for (const auto& t : trains) CHECK(t["outputs"]["world_size"] == 2);

  // The world size is not in the key: the same file on 1 rank finds everything in the cache.
  CommandResult one = p.sftx("run small.sftx --profile tiny");
  INFO(one.err);
  REQUIRE(one.rc == 0);
  auto again = p.latest_run("small");
  CHECK(count_status(again, "executed") == 0);
  CHECK(nodes_of(again, "train", "reused").size() == 2);
}
