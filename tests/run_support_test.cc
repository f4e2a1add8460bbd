// Implementation of run_test_support.h (a _test.cc file so that it lands in the e2e binary).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <fstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

#include "interpreter/exec/running_nodes.h"

namespace sftx::e2e {
namespace fs = std::filesystem;

namespace {

std::string sftx_bin() {
  const char* bin = std::getenv("SFTX_BIN");
  if (!bin || !*bin) throw std::runtime_error("SFTX_BIN is not set (run the tests through ctest)");
  return bin;
}

// The tiny profile: nano model, a few steps of short sequences, frequent checkpoints.
const char* kToml = R"(cache = ".sftx-cache"
runs = "runs"
device = "cpu"

[profile.tiny]
preset = "nano"

[profile.tiny.train]
epochs = 1
max_steps = 4
batch = 2
seq_len = 320  # the tiny maths and chat records fit with their answers (at 192, 48 of 60 maths records lost theirs)
lr = 1e-3
warmup = 0.1
save_every = 2
log_every = 1
)";

}  // namespace

RunProject::RunProject() { write("sftx.toml", kToml); }

void RunProject::write(const std::string& name, const std::string& text) const { tmp_.write(name, text); }

CommandResult RunProject::sftx(const std::string& args) const { return sftx_env("", args); }

CommandResult RunProject::sftx_env(const std::string& env, const std::string& args) const {
  std::string cmd = "cd '" + dir_.string() + "' && " + (env.empty() ? "" : "env " + env + " ") + "'" + sftx_bin() +
                    "' " + args + " > .out.txt 2> .err.txt";
  int status = std::system(cmd.c_str());
  CommandResult r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = sftx::testing::read_file(dir_ / ".out.txt");
  r.err = sftx::testing::read_file(dir_ / ".err.txt");
  return r;
}

pid_t RunProject::start_sftx(const std::string& args, const std::string& log_name) const {
  std::string cmd = "exec '" + sftx_bin() + "' " + args + " > '" + log_name + "' 2>&1";
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::setpgid(0, 0);
    if (::chdir(dir_.c_str()) != 0) ::_exit(127);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  return pid;
}

nlohmann::json RunProject::latest_run(const std::string& experiment) const {
  fs::path p = dir_ / "runs" / experiment / "latest" / "run.json";
  if (!fs::exists(p)) throw std::runtime_error(p.string() + " does not exist");
  return nlohmann::json::parse(sftx::testing::read_file(p));
}

std::vector<nlohmann::json> nodes_of(const nlohmann::json& run, const std::string& kind, const std::string& status) {
  std::vector<nlohmann::json> out;
  for (const auto& n : run.at("nodes"))
    if (n.at("kind") == kind && (status.empty() || n.at("status") == status)) out.push_back(n);
  return out;
}

long long first_checkpoint_step(const fs::path& cache) {
  std::error_code ec;
  for (const auto& w : fs::directory_iterator(cache / "work", ec))
    if (auto step = exec::checkpoint_step(w.path())) return *step;  // unreadable mid-replace: 0, look again
  return 0;
}

pid_t start_long_run_until_checkpoint(const RunProject& p, long long& step) {
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
  step = 0;
  while ((step = first_checkpoint_step(p.cache())) == 0 && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return pid;  // ended before its first checkpoint
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pid;
}

size_t count_status(const nlohmann::json& run, const std::string& status) {
  size_t n = 0;
  for (const auto& node : run.at("nodes")) n += node.at("status") == status;
  return n;
}

const char* small_dmt_source() {
  return R"(math    = synthetic("math", n = 120, seed = 1)
general = synthetic("general", n = 120, seed = 2)
tok     = sentencepiece(mix(math, general), vocab = 512)
base    = model("llama", preset = "nano", tokenizer = tok)
plan dmt(k) {
  stage1 = math
  stage2 = mix(general, k * stage1.data)
}
experiment small {
  base  = base
  plans = [dmt(1/4)]
  eval  = [perplexity(synthetic("general", n = 8, seed = 9))]
}
)";
}

std::string dmt_sweep_source(const std::string& stage2_lr) {
  return R"(math    = synthetic("math", n = 160, seed = 1)
general = synthetic("general", n = 160, seed = 2)
tok     = sentencepiece(mix(math, general), vocab = 512)
base    = model("llama", preset = "nano", tokenizer = tok)

plan dmt(k) {
  stage1 = math
  stage2 = mix(general, k * stage1.data) with { lr = )" +
         stage2_lr + R"( }
}

experiment sweep {
  base  = base
  plans = [dmt(k) for k in [1, 1/2, 1/4, 1/8, 1/16]]
  eval  = [gsm8k(synthetic("gsm8k_test", n = 4, seed = 7), max_new_tokens = 8)]
}
)";
}

}  // namespace sftx::e2e

TEST_CASE("run_count_status counts nodes by status", "[run][support]") {
  nlohmann::json run = {{"nodes", {{{"kind", "train"}, {"status", "reused"}}, {{"kind", "data"}, {"status", "executed"}}}}};
  CHECK(sftx::e2e::count_status(run, "reused") == 1);
  CHECK(sftx::e2e::nodes_of(run, "train").size() == 1);
  CHECK(sftx::e2e::nodes_of(run, "train", "executed").empty());
}
