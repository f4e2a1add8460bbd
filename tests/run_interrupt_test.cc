// Ctrl-C during `sftx run`: the run names what it interrupted and the step a rerun resumes the
// training stage from, exits 128 + SIGINT, and the rerun does resume from that step.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;
namespace fs = std::filesystem;

TEST_CASE("run: Ctrl-C names the interrupted stage and the step a rerun resumes from", "[run][e2e][interrupt]") {
  RunProject p;
  long long step = 0;
  pid_t pid = start_long_run_until_checkpoint(p, step);
  REQUIRE(step > 0);  // a checkpoint within 120 s, before the run ended
  ::kill(-pid, SIGINT);  // what Ctrl-C does: the whole foreground process group
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::stringstream log;
  log << std::ifstream(p.dir() / "first.log").rdbuf();
  INFO(log.str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + SIGINT);
  std::smatch m;
  const std::string text = log.str();
  REQUIRE(std::regex_search(text, m, std::regex(R"(training one\.stage1(?: at step \d+ of 30)?: a rerun resumes it from step (\d+), its last checkpoint)")));
  const long long promised = std::stoll(m[1]);
  CHECK(promised >= step);
  CHECK(std::regex_search(text, std::regex(R"(sftx run: interrupted while \d+ nodes? ran:)")));
  CHECK(std::regex_search(text, std::regex(R"(\d+ nodes? finished in this run and stays? in the cache)")));

  CommandResult again = p.sftx("run long.sftx --profile tiny");
  INFO(again.err);
  REQUIRE(again.rc == 0);
  auto trains = nodes_of(p.latest_run("long"), "train");
  REQUIRE(trains.size() == 1);
  CHECK(trains[0]["resumed_from_step"].get<long long>() == promised);
}
