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
  p.write("long.sftx", R"(math = synthetic("math", n = 160, seed = 1)
tok  = sentencepiece(math, vocab = 512)
base = model("llama", preset = "nano", tokenizer = tok)
plan one { stage1 = math with { max_steps = 30; save_every = 2 } }
experiment long {
  base  = base
  plans = [one]
  eval  = [perplexity(synthetic("math", n = 8, seed = 9))]
}
)");
  pid_t pid = p.start_sftx("run long.sftx --profile tiny", "first.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  long long step = 0;
  while ((step = first_checkpoint_step(p.cache())) == 0 && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) FAIL("sftx run ended before its first checkpoint");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(step > 0);
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
