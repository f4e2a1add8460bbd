// The launcher seam with real processes (/bin/sh standing in for the worker where the worker's
// training is not what is tested; the data-parallel training itself is in ddp_test.cc).
#include "runtime/launch/worker_launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("a world size the machine cannot start is refused before anything runs", "[launcher]") {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CHECK_THROWS_WITH(make_worker_launcher("", 0), Catch::Contains("--nproc 0: a training needs at least 1 rank"));
  CHECK_THROWS_WITH(make_worker_launcher("", cores + 1),
                    Catch::Contains("this machine has " + std::to_string(cores) + " core(s)"));
  CHECK_THROWS_AS(check_worker_launcher("", cores + 1), LaunchRefused);
  CHECK_THROWS_WITH(make_worker_launcher("local", 2), Catch::Contains("runs one process"));
  CHECK_THROWS_WITH(make_worker_launcher("pbs", 1), Catch::Contains("unknown worker launcher 'pbs' (known: local, "));
  CHECK(make_worker_launcher("", 1)->name() == "local");
  if (cores >= 2) {
    auto l = make_worker_launcher("", 2);
    CHECK(l->name() == "multi-rank local");
    CHECK(l->world_size() == 2);
  }
}

TEST_CASE("pick_free_port gives a port that can be listened on", "[launcher]") {
  int port = pick_free_port();
  REQUIRE(port > 0);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  CHECK(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  ::close(fd);
  CHECK_THROWS_AS(pick_free_port("not-an-address"), WorkerError);
}

TEST_CASE("each process of a group gets its own environment, the first speaks the protocol", "[launcher]") {
  WorkerCall call;
  call.executable = "/bin/sh";
  // Rank 0 answers; rank 1 prints on stdout, which is not protocol: it goes to the stderr lines, labelled.
  call.args = {"-c", "if [ \"$RANK\" = 0 ]; then echo \"{\\\"result\\\": {\\\"world\\\": $WORLD_SIZE, \\\"port\\\": "
                     "$MASTER_PORT}}\"; else echo \"rank $RANK here\"; fi"};
  call.what = "group";
  std::vector<std::string> lines;
  call.on_stderr_line = [&](const std::string& l) { lines.push_back(l); };
  std::vector<WorkerProcessSpec> ranks;
  for (int r = 0; r < 2; ++r)
    ranks.push_back({rank_environment(r, 2, r, 2, "127.0.0.1", 4242), "rank " + std::to_string(r) + " of 2"});
  auto result = run_worker_group(call, ranks);
  CHECK(result["world"] == 2);
  CHECK(result["port"] == 4242);
  CHECK(lines == std::vector<std::string>{"[rank 1 of 2] rank 1 here"});
}

TEST_CASE("the first failure of a group stops the others and is named first", "[launcher]") {
  WorkerCall call;
  call.executable = "/bin/sh";
  // Rank 1 fails at once; rank 0 would wait for a long time.
  call.args = {"-c", "if [ \"$RANK\" = 1 ]; then echo 'rank one gives up' >&2; exit 4; fi; exec sleep 300"};
  call.what = "train stage (test)";
  call.on_stderr_line = [](const std::string&) {};
  std::vector<WorkerProcessSpec> ranks;
  for (int r = 0; r < 2; ++r)
    ranks.push_back({rank_environment(r, 2, r, 2, "127.0.0.1", 1), "rank " + std::to_string(r) + " of 2"});
  try {
    run_worker_group(call, ranks, /*stop_grace_s=*/2);
    FAIL("no error");
  } catch (const WorkerError& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Catch::StartsWith("train stage (test) failed: rank 1 of 2 (/bin/sh) exited with status 4, so the "
                                    "whole group was stopped"));
    CHECK_THAT(m, Catch::Contains("  | rank one gives up"));
    CHECK_THAT(m, Catch::Contains("rank 0 of 2: stopped after the first failure by signal 15"));
  }
}

namespace {

// Sets (or, with nullptr, unsets) an environment variable for one scope; restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { had_ ? ::setenv(name_.c_str(), old_.c_str(), 1) : ::unsetenv(name_.c_str()); }

 private:
  std::string name_, old_;
  bool had_ = false;
};

}  // namespace

TEST_CASE("the slurm launcher refuses to start outside a Slurm job, without srun, or beyond the job's tasks",
          "[launcher]") {
  {
    ScopedEnv no_job("SLURM_JOB_ID", nullptr);
    CHECK_THROWS_AS(make_worker_launcher("slurm", 2), LaunchRefused);
    CHECK_THROWS_WITH(make_worker_launcher("slurm", 2), Catch::Contains("this process is not in one (no SLURM_JOB_ID)"));
  }
  ScopedEnv job("SLURM_JOB_ID", "4711");
  {
    ScopedEnv no_srun("PATH", "/nonexistent");
    CHECK_THROWS_WITH(make_worker_launcher("slurm", 2), Catch::Contains("needs 'srun', which is not on PATH"));
  }
  // The rest needs Slurm's srun on PATH (scripts/install-deps.sh installs it).
  if (std::system("command -v srun >/dev/null 2>&1") != 0) {
    WARN("srun is not installed: the slurm launcher's acceptance is not checked");
    return;
  }
  {
    ScopedEnv tasks("SLURM_NTASKS", "1");
    CHECK_THROWS_WITH(make_worker_launcher("slurm", 2),
                      Catch::Contains("the Slurm job 4711 has 1 task(s) (SLURM_NTASKS), fewer than the 2 ranks"));
  }
  ScopedEnv tasks("SLURM_NTASKS", "2");
  auto l = make_worker_launcher("slurm", 2);
  CHECK(l->name() == "slurm");
  CHECK(l->world_size() == 2);
}
