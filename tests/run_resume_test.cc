// `sftx run` killed with SIGKILL in the middle of a training stage, then started again,
// continues that stage from its last checkpoint (work/<key>/state in the cache).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;
namespace fs = std::filesystem;

TEST_CASE("run: a run killed mid-stage resumes from its checkpoint", "[run][e2e][resume]") {
  RunProject p;
  long long step = 0;
  pid_t pid = start_long_run_until_checkpoint(p, step);
  REQUIRE(step > 0);  // a checkpoint within 120 s, before the run ended
  ::kill(-pid, SIGKILL);  // the whole process group: sftx and its worker
  ::waitpid(pid, nullptr, 0);
  REQUIRE_FALSE(fs::exists(p.dir() / "runs" / "long" / "latest"));  // it never finished

  CommandResult again = p.sftx("run long.sftx --profile tiny");
  INFO(again.err);
  REQUIRE(again.rc == 0);
  nlohmann::json run = p.latest_run("long");
  auto trains = nodes_of(run, "train");
  REQUIRE(trains.size() == 1);
  CHECK(trains[0]["status"] == "executed");
  REQUIRE(trains[0].contains("resumed_from_step"));
  CHECK(trains[0]["resumed_from_step"].get<long long>() >= step);
  CHECK(trains[0]["resumed_from_step"].get<long long>() < 30);
  CHECK(trains[0]["outputs"]["steps"] == 30);
  // The finished stage's work directory (with its resume state) is gone.
  CHECK(first_checkpoint_step(p.cache()) == 0);
}
