// Helpers for the `sftx run` end-to-end tests (tests/run_*_test.cc): a temporary project with
// a tiny sftx.toml profile, running the real `sftx` binary ($SFTX_BIN) in it, and reading the
// run records it writes. Training in these tests is real (nano preset, a few steps).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace sftx::e2e {

struct CommandResult {
  int rc = -1;
  std::string out;
  std::string err;
};

class RunProject {
 public:
  // A fresh directory holding sftx.toml (cache .sftx-cache, runs runs/, profile "tiny").
  RunProject();
  RunProject(const RunProject&) = delete;
  RunProject& operator=(const RunProject&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path cache() const { return dir_ / ".sftx-cache"; }

  void write(const std::string& name, const std::string& text) const;

  // Runs `$SFTX_BIN ARGS` in dir(), waiting for it.
  CommandResult sftx(const std::string& args) const;
  // The same with environment assignments first ("PATH=/x"), as env(1) takes them.
  CommandResult sftx_env(const std::string& env, const std::string& args) const;
  // Starts it in the background (its own process group); returns the pid.
  pid_t start_sftx(const std::string& args, const std::string& log_name) const;

  // runs/<experiment>/latest/run.json
  nlohmann::json latest_run(const std::string& experiment) const;

 private:
  sftx::testing::TempDir tmp_{"sftx-run-test"};  // removed with the project
  const std::filesystem::path& dir_ = tmp_.path();
};

// Node records of a run.json with the given kind (and status, when not empty).
std::vector<nlohmann::json> nodes_of(const nlohmann::json& run, const std::string& kind, const std::string& status = "");
// How many nodes of the run have `status`.
size_t count_status(const nlohmann::json& run, const std::string& status);

// The step of the first trainer checkpoint under the cache's work directories
// (work/<key>/state/state.json), or 0 when there is none yet.
long long first_checkpoint_step(const std::filesystem::path& cache);

// Writes long.sftx (one 30-step nano stage checkpointing every 2 steps), starts
// `sftx run long.sftx --profile tiny` in its own process group (log first.log) and waits until
// the stage has a checkpoint; returns the pid and sets `step` (0 when none came within 120 s, or
// the run ended first: the caller REQUIREs step > 0). For the interrupt and resume tests.
pid_t start_long_run_until_checkpoint(const RunProject& p, long long& step);

// A two-stage DMT(1/4) on 120 maths and 120 chat records, one perplexity eval: the smallest
// file that trains twice and evaluates (the cache and --nproc tests).
const char* small_dmt_source();

// A DMT sweep over five values of k on synthetic data, with stage 2's lr as given.
std::string dmt_sweep_source(const std::string& stage2_lr);

}  // namespace sftx::e2e
