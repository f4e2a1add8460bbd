// Data-parallel training end to end: real sftx-worker processes, real Gloo over TCP on this
// machine, real LibTorch training of a tiny model.
//   - 2 ranks train what 1 rank with the same global batch (as accumulation) trains;
//   - a rank killed mid-step fails the run with a clear error, and the rerun resumes, on a
//     different world size;
//   - a rank whose peer hangs gives up after SFTX_DIST_TIMEOUT_S; a rendezvous nobody serves
//     fails before any work;
//   - a world size the request cannot honour is refused.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/api.h"
#include "runtime/launch/protocol.h"
#include "runtime/launch/worker_launcher.h"
#include "runtime/launch/worker_process.h"
#include "runtime/nn/testing_math_shard.h"
#include "tests/test_support.h"

using namespace sftx::rt;
using sftx::testing::ensure_worker_env;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("sftx-ddp-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

bool two_cores() { return std::thread::hardware_concurrency() >= 2; }

// A tiny model: 20 steps take a second or two per rank.
TrainRequest tiny_request(const fs::path& dir, const std::string& shard, const std::string& out) {
  TrainRequest r;
  r.model.preset = "nano";
  r.model.overrides = {{"vocab_size", testing::kMathVocab}, {"hidden_size", 32},      {"intermediate_size", 64},
                       {"num_hidden_layers", 2},            {"num_attention_heads", 2}, {"num_key_value_heads", 1}};
  r.shards = {shard};
  r.hp.epochs = 4;  // 44 blocks, batch 8: 6 steps an epoch (the last of 4 blocks), capped at 20
  r.hp.max_steps = 20;
  r.hp.batch = 8;
  r.hp.grad_accum = 2;
  r.hp.lr = 3e-3;
  r.hp.warmup = 0.1;
  r.hp.schedule = "cosine";
  r.hp.weight_decay = 0.01;
  r.hp.clip = 1.0;
  r.hp.seq_len = 32;
  r.hp.log_every = 1;
  r.hp.save_every = 5;
  r.hp.seed = 5;
  r.out_dir = (dir / out).string();
  return r;
}

std::vector<json> metric_lines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) out.push_back(json::parse(l));
  return out;
}

double max_loss_difference(const std::vector<json>& a, const std::vector<json>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i]["step"] == b[i]["step"]);
    worst = std::max(worst, std::abs(a[i]["loss"].get<double>() - b[i]["loss"].get<double>()));
  }
  return worst;
}

// The pids of this process's children whose environment holds `var`.
std::vector<pid_t> children_with_env(const std::string& var) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid != ::getpid()) continue;
    std::ifstream env_file(e.path() / "environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(env_file)), {});
    if (env.find(std::string(1, '\0') + var + '\0') != std::string::npos || env.rfind(var + '\0', 0) == 0)
      out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// Starts `sftx-worker train REQUEST` by hand with extra environment, stderr to `log`.
pid_t start_worker(const std::string& request, const std::vector<std::pair<std::string, std::string>>& env,
                   const fs::path& log) {
  std::string worker = find_worker_executable();
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(devnull, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    ::execl(worker.c_str(), worker.c_str(), "train", request.c_str(), (char*)nullptr);
    ::_exit(127);
  }
  return pid;
}

// Waits up to `limit` for pid; kills it (and fails) past that: a test must not hang either.
int wait_bounded(pid_t pid, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL("the worker did not end within " << limit.count() << " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return status;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("2 Gloo ranks train what 1 rank with the same global batch trains", "[ddp][worker]") {
  if (!two_cores()) {
    WARN("skipped: needs 2 cores for 2 ranks");
    return;
  }
  ensure_worker_env();
  fs::path dir = fresh_dir("match");
  testing::write_math_shard((dir / "d.shard").string(), 44, 32, 3);

  TrainRequest one = tiny_request(dir, (dir / "d.shard").string(), "one");
  TrainResult r1 = train(one);
  TrainRequest two = tiny_request(dir, (dir / "d.shard").string(), "two");
  two.process_group.world_size = 2;
  std::vector<Progress> seen;
  two.progress = [&](const Progress& p) { seen.push_back(p); };
  TrainResult r2 = train(two);

  REQUIRE(r1.steps == 20);
  REQUIRE(r2.steps == 20);
  CHECK(seen.size() == 20);  // rank 0 alone reports progress
  auto m1 = metric_lines(r1.metrics_path), m2 = metric_lines(r2.metrics_path);
  REQUIRE(m1.size() == 20);
  const double diff = max_loss_difference(m1, m2);
  CHECK(diff <= 1e-5);
  CHECK(m1.back()["loss"].get<double>() < m1.front()["loss"].get<double>());  // it learnt something

  // The all-reduce inside training is measured and logged; the 1-rank run has none.
  CHECK_FALSE(m1[0].contains("allreduce_bytes"));
  double bytes = 0, secs = 0;
  for (const auto& l : m2) {
    CHECK(l["world_size"] == 2);
    CHECK(l["allreduce_bytes"].get<int64_t>() > 0);
    bytes += l["allreduce_bytes"].get<double>();
    secs += l["allreduce_s"].get<double>();
  }
  REQUIRE(secs > 0);
  std::fprintf(stderr, "ddp: 2 ranks vs 1 rank, max per-step loss difference over 20 steps: %.3g\n", diff);
  std::fprintf(stderr, "ddp: gradient all-reduce inside training: %.0f bytes per step, %.3g MB/s (%.3g s in all)\n",
               bytes / 20, bytes / secs / 1e6, secs);

  // Only rank 0 wrote files: one model, one metrics file, the state removed at the end.
  CHECK(fs::exists(fs::path(r2.checkpoint_dir) / "model.safetensors"));
  CHECK_FALSE(fs::exists(fs::path(two.out_dir) / "state"));
  fs::remove_all(dir);
}

TEST_CASE("a rank killed mid-step fails the run with a clear error, the rerun resumes on 1 rank", "[ddp][worker][resume]") {
  if (!two_cores()) {
    WARN("skipped: needs 2 cores for 2 ranks");
    return;
  }
  ensure_worker_env();
  fs::path dir = fresh_dir("kill");
  testing::write_math_shard((dir / "d.shard").string(), 44, 32, 3);
  // 60 steps: the ranks are still far from the end when the driver reads step 7's progress.
  auto longer = [&](const std::string& out) {
    TrainRequest r = tiny_request(dir, (dir / "d.shard").string(), out);
    r.hp.epochs = 10;
    r.hp.max_steps = 60;
    return r;
  };
  TrainResult straight = train(longer("straight"));

  TrainRequest r = longer("killed");
  r.process_group.world_size = 2;
  bool killed = false;
  r.progress = [&](const Progress& p) {
    // Step 7 is done: the state of step 5 is saved and rank 1 is inside step 8 (or waiting in
    // its all-reduce for rank 0).
    if (p.done == 7 && !killed) {
      auto pids = children_with_env("RANK=1");
      REQUIRE(pids.size() == 1);
      ::kill(pids[0], SIGKILL);
      killed = true;
    }
  };
  try {
    train(r);
    FAIL("the run did not fail");
  } catch (const WorkerError& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Catch::Contains("2 ranks, multi-rank local launcher) failed: rank 1 of 2 ("));
    CHECK_THAT(m, Catch::Contains("was killed by signal 9"));
    CHECK_THAT(m, Catch::Contains("so the whole group was stopped"));
    CHECK_THAT(m, Catch::Contains("rank 0 of 2: "));
  }
  REQUIRE(killed);
  CHECK(children_with_env("RANK=0").empty());  // no rank left behind
  REQUIRE(fs::exists(fs::path(r.out_dir) / "state" / "state.json"));
  REQUIRE_FALSE(fs::exists(fs::path(r.out_dir) / "model"));

  // The rerun, on 1 rank: the data position is global, so it resumes where the 2 ranks were.
  TrainRequest again = r;
  again.process_group.world_size = 1;
  again.progress = {};
  TrainResult resumed = train(again);
  CHECK(resumed.resumed_from_step == 5);
  CHECK(resumed.steps == 60);
  const double diff = max_loss_difference(metric_lines(straight.metrics_path), metric_lines(resumed.metrics_path));
  CHECK(diff <= 1e-5);
  std::fprintf(stderr, "ddp: killed at step 8 on 2 ranks, resumed on 1: max loss difference to 1 rank: %.3g\n", diff);
  fs::remove_all(dir);
}

TEST_CASE("a rank whose peer stops answering gives up after SFTX_DIST_TIMEOUT_S", "[ddp][worker]") {
  if (!two_cores()) {
    WARN("skipped: needs 2 cores for 2 ranks");
    return;
  }
  ensure_worker_env();
  fs::path dir = fresh_dir("hang");
  testing::write_math_shard((dir / "d.shard").string(), 44, 32, 3);
  TrainRequest r = tiny_request(dir, (dir / "d.shard").string(), "out");
  r.process_group.world_size = 2;
  r.hp.epochs = 100;  // far longer than the test lets it run
  r.hp.max_steps = 500;
  fs::create_directories(r.out_dir);
  const std::string request = r.out_dir + "/request.json";
  write_json_file(request, to_json(r));

  // Started by hand as torchrun would start them, with a short collective timeout.
  const int port = pick_free_port();
  std::vector<pid_t> pids;
  for (int rank = 0; rank < 2; ++rank) {
    auto env = rank_environment(rank, 2, rank, 2, "127.0.0.1", port);
    env.emplace_back("SFTX_DIST_TIMEOUT_S", "5");
    env.emplace_back("SFTX_NUM_THREADS", "1");
    pids.push_back(start_worker(request, env, dir / ("rank" + std::to_string(rank) + ".log")));
  }
  // Once a state is saved, rank 1 freezes (SIGSTOP: alive, connected, silent): the hang a
  // timeout exists for, which a dead peer's closed connection would not show.
  fs::path state = fs::path(r.out_dir) / "state" / "state.json";
  for (int i = 0; i < 6000 && !fs::exists(state); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(pids[1], SIGSTOP);
  const bool saw_state = fs::exists(state);
  int status = wait_bounded(pids[0], std::chrono::seconds(120));
  ::kill(pids[1], SIGKILL);
  ::waitpid(pids[1], nullptr, 0);
  REQUIRE(saw_state);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  const std::string log = slurp(dir / "rank0.log");
  CHECK_THAT(log, Catch::Contains("failed on rank 0 of 2 (gloo)"));
  CHECK_THAT(log, Catch::Contains("waits at most 5 s (SFTX_DIST_TIMEOUT_S)"));
  CHECK_FALSE(fs::exists(fs::path(r.out_dir) / "model"));
  fs::remove_all(dir);
}

TEST_CASE("a rendezvous nobody serves fails before any work, naming the address", "[ddp][worker]") {
  ensure_worker_env();
  fs::path dir = fresh_dir("unreachable");
  testing::write_math_shard((dir / "d.shard").string(), 44, 32, 3);
  TrainRequest r = tiny_request(dir, (dir / "d.shard").string(), "out");
  r.process_group.world_size = 2;
  fs::create_directories(r.out_dir);
  const std::string request = r.out_dir + "/request.json";
  write_json_file(request, to_json(r));
  // Rank 1 of 2, and no rank 0 anywhere: a port nothing listens on.
  const int port = pick_free_port();
  auto env = rank_environment(1, 2, 1, 2, "127.0.0.1", port);
  env.emplace_back("SFTX_RENDEZVOUS_TIMEOUT_S", "3");
  pid_t pid = start_worker(request, env, dir / "rank1.log");
  int status = wait_bounded(pid, std::chrono::seconds(120));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  const std::string log = slurp(dir / "rank1.log");
  CHECK_THAT(log, Catch::Contains("rendezvous failed: rank 1 of 2 could not reach MASTER_ADDR=127.0.0.1 MASTER_PORT=" +
                                  std::to_string(port) + " within 3 s"));
  CHECK_FALSE(fs::exists(fs::path(r.out_dir) / "metrics.jsonl"));  // no work was done
  fs::remove_all(dir);
}

TEST_CASE("a world size the request cannot honour is refused with the reason", "[ddp][worker]") {
  ensure_worker_env();
  fs::path dir = fresh_dir("refuse");
  testing::write_math_shard((dir / "d.shard").string(), 8, 32, 3);
  TrainRequest r = tiny_request(dir, (dir / "d.shard").string(), "out");
  r.process_group.world_size = 2;
  fs::create_directories(r.out_dir);
  const std::string request = r.out_dir + "/request.json";
  write_json_file(request, to_json(r));

  SECTION("several ranks asked for, none started") {
    pid_t pid = start_worker(request, {}, dir / "log");
    int status = wait_bounded(pid, std::chrono::seconds(60));
    CHECK(WEXITSTATUS(status) == 3);
    CHECK_THAT(slurp(dir / "log"), Catch::Contains("the request asks for 2 ranks, but this process was started "
                                                   "without a launcher's environment"));
  }
  SECTION("more ranks than sequences in a step") {
    r.hp.batch = 2;
    r.hp.grad_accum = 1;
    r.process_group.world_size = 3;
    write_json_file(request, to_json(r));
    auto env = rank_environment(0, 3, 0, 3, "127.0.0.1", pick_free_port());
    pid_t pid = start_worker(request, env, dir / "log");
    int status = wait_bounded(pid, std::chrono::seconds(60));
    CHECK(WEXITSTATUS(status) == 3);
    CHECK_THAT(slurp(dir / "log"), Catch::Contains("batch 2 cannot be split over 3 ranks"));
  }
  fs::remove_all(dir);
}
