// Runs real child processes (/bin/sh scripts speaking the worker's stdout protocol).
#include "runtime/launch/worker_process.h"

#include "runtime/launch/protocol.h"
#include "tests/test_support.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {

WorkerCall shell(const std::string& script, std::vector<std::string>* err_lines) {
  WorkerCall c;
  c.executable = "/bin/sh";
  c.args = {"-c", script};
  c.what = "test stage (out_dir /tmp/x)";
  c.on_stderr_line = [err_lines](const std::string& l) { err_lines->push_back(l); };
  return c;
}

std::string error_of(const WorkerCall& c) {
  try {
    run_worker(c);
  } catch (const WorkerError& e) {
    return e.what();
  }
  return "no error";
}

// "protocol_version": N, as the worker writes it first in every object it prints.
std::string version_key() { return "\"protocol_version\": " + std::to_string(kProtocolVersion) + ", "; }

}  // namespace

TEST_CASE("progress lines reach the callback and the result line is returned", "[worker_process]") {
  std::vector<std::string> err;
  WorkerCall c = shell(
      "echo '{\"progress\": {" + version_key() + "\"phase\": \"train\", \"done\": 1, \"total\": 2, \"detail\": \"loss 3\"}}';"
      "echo 'warming up' >&2;"
      "echo 'stray stdout text';"
      "echo '{\"progress\": {" + version_key() + "\"phase\": \"train\", \"done\": 2, \"total\": 2}}';"
      "printf '{\"result\": {\"steps\": 2}}'",  // no trailing newline: still read
      &err);
  std::vector<Progress> seen;
  c.progress = [&](const Progress& p) { seen.push_back(p); };
  auto result = run_worker(c);
  CHECK(result == nlohmann::json{{"steps", 2}});
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].detail == "loss 3");
  CHECK(seen[1].done == 2);
  CHECK(std::find(err.begin(), err.end(), "warming up") != err.end());
  CHECK(std::find(err.begin(), err.end(), "stray stdout text") != err.end());
}

TEST_CASE("a progress line of another protocol version stops the run, naming both versions", "[worker_process]") {
  std::vector<std::string> err;
  WorkerCall c = shell("echo '{\"progress\": {\"protocol_version\": 1, \"phase\": \"x\", \"done\": 0, \"total\": 0}}'; exec sleep 30", &err);
  c.progress = [](const Progress&) {};
  const std::string msg = error_of(c);
  CHECK_THAT(msg, Catch::Contains("malformed progress from the worker"));
  CHECK_THAT(msg, Catch::Contains("Progress of protocol version 1, but this program speaks version " +
                                  std::to_string(kProtocolVersion)));
}

TEST_CASE("a failing worker becomes an error naming the stage and its last stderr lines", "[worker_process]") {
  std::vector<std::string> err;
  WorkerCall c = shell("for i in 1 2 3 4 5; do echo line$i >&2; done; echo 'loss became NaN at step 37' >&2; exit 3", &err);
  c.stderr_tail_lines = 3;
  std::string msg = error_of(c);
  CHECK_THAT(msg, Catch::Contains("test stage (out_dir /tmp/x) failed"));
  CHECK_THAT(msg, Catch::Contains("exited with status 3"));
  CHECK_THAT(msg, Catch::Contains("loss became NaN at step 37"));
  CHECK_THAT(msg, Catch::Contains("line5"));
  CHECK_THAT(msg, !Catch::Contains("line3"));  // only the tail is quoted
}

TEST_CASE("the worker's own one-line reason for exit 3 is the error, on one line", "[worker_process][disk_full]") {
  std::vector<std::string> err;
  // What worker/main.cc prints when a checkpoint meets a full disk.
  WorkerCall c = shell("echo 'a warning first' >&2; echo 'sftx-worker train: /w/request.json: cannot write checkpoint "
                       "/w/state.tmp-h-1/optimizer.pt: No space left on device (the disk is full)' >&2; exit 3",
                       &err);
  std::string msg = error_of(c);
  CHECK(msg == "test stage (out_dir /tmp/x) failed: sftx-worker train: /w/request.json: cannot write checkpoint "
               "/w/state.tmp-h-1/optimizer.pt: No space left on device (the disk is full) (/bin/sh exited with status 3)");
}

TEST_CASE("a worker killed by a signal is reported with the signal", "[worker_process]") {
  std::vector<std::string> err;
  CHECK_THAT(error_of(shell("kill -9 $$", &err)), Catch::Contains("killed by signal 9"));
}

TEST_CASE("exit 0 without a result line is an error", "[worker_process]") {
  std::vector<std::string> err;
  CHECK_THAT(error_of(shell("echo hi", &err)), Catch::Contains("without printing a result"));
}

TEST_CASE("a missing executable is a clear error", "[worker_process]") {
  WorkerCall c;
  c.executable = "/nonexistent/sftx-worker";
  c.what = "train stage";
  CHECK_THAT(error_of(c), Catch::Contains("cannot run /nonexistent/sftx-worker"));
}

TEST_CASE("a progress callback that throws kills the child and propagates", "[worker_process]") {
  std::vector<std::string> err;
  WorkerCall c = shell("echo '{\"progress\": {" + version_key() + "\"phase\": \"x\", \"done\": 0, \"total\": 0}}'; exec sleep 30", &err);
  c.progress = [](const Progress&) { throw std::runtime_error("cancelled"); };
  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(run_worker(c), "cancelled");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("killing the driver kills the worker (PR_SET_PDEATHSIG)", "[worker_process]") {
  sftx::testing::TempDir dir_tmp("sftx-pdeathsig");
  const fs::path dir = dir_tmp.path();
  fs::path pid_file = dir / "pid";
  pid_t driver = ::fork();
  REQUIRE(driver >= 0);
  if (driver == 0) {  // the "driver": runs a long worker
    WorkerCall c;
    c.executable = "/bin/sh";
    c.args = {"-c", "echo $$ > " + pid_file.string() + ".tmp; mv " + pid_file.string() + ".tmp " +
                        pid_file.string() + "; exec sleep 60"};
    c.what = "test";
    try {
      run_worker(c);
    } catch (...) {
    }
    ::_exit(0);
  }
  pid_t worker = 0;
  for (int i = 0; i < 200 && worker == 0; ++i) {
    std::ifstream in(pid_file);
    if (!(in >> worker)) worker = 0;
    if (worker == 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(worker > 0);
  ::kill(driver, SIGKILL);
  int st;
  ::waitpid(driver, &st, 0);
  // The worker dies: gone, or a zombie waiting for init to reap it.
  bool dead = false;
  for (int i = 0; i < 200 && !dead; ++i) {
    std::ifstream stat("/proc/" + std::to_string(worker) + "/stat");
    std::string pid_s, comm, state;
    dead = !(stat >> pid_s >> comm >> state) || state == "Z";
    if (!dead) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!dead) ::kill(worker, SIGKILL);
  CHECK(dead);
  fs::remove_all(dir);
}
