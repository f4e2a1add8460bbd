// End-to-end through the real sftx-worker: rt::train writes the request, runs the worker, reads
// its progress and result; and a run killed with SIGKILL mid-training, started again, ends with
// the same weights (byte for byte) as a run that was never interrupted.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/api.h"
#include "runtime/launch/protocol.h"
#include "runtime/launch/worker_process.h"
#include "runtime/nn/testing_math_shard.h"
#include "tests/test_support.h"

using namespace sftx::rt;
using sftx::testing::ensure_worker_env;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

TrainRequest nano_request(const fs::path& dir, const std::string& shard, const std::string& out) {
  TrainRequest r;
  r.model.preset = "nano";
  r.model.overrides = {{"vocab_size", testing::kMathVocab}, {"num_hidden_layers", 2}};
  r.shards = {shard};
  r.hp.epochs = 2;
  r.hp.batch = 4;
  r.hp.grad_accum = 2;
  r.hp.lr = 1e-3;
  r.hp.warmup = 0.1;
  r.hp.schedule = "cosine";
  r.hp.weight_decay = 0.01;
  r.hp.seq_len = 64;
  r.hp.log_every = 1;
  r.hp.save_every = 5;
  r.hp.seed = 11;
  r.out_dir = (dir / out).string();
  return r;
}

}  // namespace

TEST_CASE("rt::train runs the real worker and reports progress and the result", "[launch][worker]") {
  ensure_worker_env();
  sftx::testing::TempDir dir_tmp("sftx-launch-train");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 8, 64, 1);
  TrainRequest r = nano_request(dir, (dir / "d.shard").string(), "out");
  r.hp.epochs = 1;
  std::vector<Progress> seen;
  r.progress = [&](const Progress& p) { seen.push_back(p); };
  TrainResult res = train(r);
  CHECK(res.steps == 2);
  CHECK(res.checkpoint_dir == (dir / "out" / "model").string());
  CHECK(fs::exists(dir / "out" / "model" / "config.json"));
  CHECK(fs::exists(dir / "out" / "request.json"));
  CHECK(std::isfinite(res.final_loss));
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].phase == "train");
  CHECK(seen[1].done == 2);
  CHECK(seen[1].total == 2);

  TrainRequest bad = r;
  bad.out_dir = (dir / "bad").string();
  bad.method.kind = "freeze";
  bad.method.freeze_layers = 9;
  try {
    train(bad);
    FAIL("no error");
  } catch (const WorkerError& e) {
    CHECK_THAT(e.what(), Catch::Contains("train stage (out_dir " + (dir / "bad").string() + ") failed"));
    CHECK_THAT(e.what(), Catch::Contains("exited with status 3"));
    CHECK_THAT(e.what(), Catch::Contains("freeze(layers = 9): the model has 2 decoder layers"));
  }
  fs::remove_all(dir);
}

TEST_CASE("a worker killed with SIGKILL resumes to bit-identical weights", "[launch][worker][resume]") {
  ensure_worker_env();
  sftx::testing::TempDir dir_tmp("sftx-launch-resume");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 48, 64, 2);  // 12 steps an epoch, 24 in all

  // The uninterrupted run.
  TrainResult straight = train(nano_request(dir, (dir / "d.shard").string(), "straight"));
  REQUIRE(straight.steps == 24);

  // The interrupted run: started by hand, killed once a state has been saved (step 5 or later).
  TrainRequest r = nano_request(dir, (dir / "d.shard").string(), "killed");
  fs::create_directories(r.out_dir);
  write_json_file(r.out_dir + "/request.json", to_json(r));
  std::string worker = find_worker_executable();
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDOUT_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    std::string request = r.out_dir + "/request.json";
    ::execl(worker.c_str(), worker.c_str(), "train", request.c_str(), (char*)nullptr);
    ::_exit(127);
  }
  fs::path state = fs::path(r.out_dir) / "state" / "state.json";
  bool saw_state = false;
  for (int i = 0; i < 6000 && !saw_state; ++i) {  // up to 60 s on a loaded machine
    saw_state = fs::exists(state);
    if (!saw_state) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(saw_state);
  REQUIRE(WIFSIGNALED(status));  // it really was killed, not finished
  REQUIRE_FALSE(fs::exists(fs::path(r.out_dir) / "model"));

  // Started again (through the driver's path): resumes from the state and finishes.
  TrainResult resumed = train(r);
  CHECK(resumed.resumed_from_step >= 5);
  CHECK(resumed.steps == 24);
  std::string a = sftx::testing::read_file(fs::path(straight.checkpoint_dir) / "model.safetensors");
  std::string b = sftx::testing::read_file(fs::path(resumed.checkpoint_dir) / "model.safetensors");
  REQUIRE(a.size() > 1000);
  CHECK(a == b);  // bitwise

  // The metrics file matches too (up to the timing column): one line per step, same losses.
  auto losses = [](const fs::path& p) {
    std::vector<double> out;
    std::ifstream in(p);
    for (std::string l; std::getline(in, l);) out.push_back(json::parse(l)["loss"].get<double>());
    return out;
  };
  CHECK(losses(straight.metrics_path) == losses(resumed.metrics_path));
  fs::remove_all(dir);
}
