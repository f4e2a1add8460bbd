// `sftx score` end to end: the built binary on the known-outcome files in tests/data/eval.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace fs = std::filesystem;

namespace {

// Output: stdout, or with stderr_only, stderr (stdout then goes to stdout_to).
sftx::testing::CommandOutput run_sftx(const std::string& args, bool stderr_only = false,
                                      const std::string& stdout_to = "/dev/null") {
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  return sftx::testing::run_command(std::string(bin) + " " + args +
                                    (stderr_only ? " 2>&1 >" + stdout_to : std::string(" 2>/dev/null")));
}

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "sftx-score-cli-test";
  fs::create_directories(dir);
  fs::copy_file(fs::path("tests/data/eval") / name, dir / name, fs::copy_options::overwrite_existing);
  return dir / name;
}

}  // namespace

TEST_CASE("sftx score humaneval prints pass@k as the public formula gives it", "[score]") {
  auto samples = scratch("humaneval_samples.jsonl");
  auto r = run_sftx("score humaneval " + samples.string() +
                    " --problems tests/data/eval/humaneval_problems.jsonl --k 1,2 --timeout 1");
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  // Toy/0 2 of 5, Toy/1 0 of 5, Toy/2 5 of 5 pass.
  CHECK(j["pass@1"].get<double>() == Approx((0.4 + 0 + 1) / 3));
  CHECK(j["pass@2"].get<double>() == Approx((0.7 + 0 + 1) / 3));
  CHECK(fs::exists(samples.string() + "_results.jsonl"));
}

TEST_CASE("sftx score gsm8k prints accuracy; bad usage exits 2", "[score]") {
  auto preds = scratch("gsm8k_predictions.jsonl");
  auto r = run_sftx("score gsm8k " + preds.string() + " --answers tests/data/eval/gsm8k_answers.jsonl");
  REQUIRE(r.status == 0);
  CHECK(nlohmann::json::parse(r.out)["accuracy"].get<double>() == Approx(0.5));  // 2 of 4, as lm-eval scores them
  CHECK(run_sftx("score humaneval " + preds.string() + " --problems " + preds.string() + " --k 0").status == 2);
  CHECK(run_sftx("score gsm8k").status == 2);
  // A samples file that is not HumanEval samples is a diagnosed input error.
  CHECK(run_sftx("score humaneval " + preds.string() + " --problems tests/data/eval/humaneval_problems.jsonl").status == 1);
}

TEST_CASE("sftx score on a full disk exits 3 with the reason and leaves no results file", "[score][disk_full]") {
  // The results file's temporary name links to /dev/full (every write: ENOSPC). Before, this
  // was exit 1 ("error": the input's fault) with no reason given.
  auto preds = scratch("gsm8k_predictions.jsonl");
  const std::string results = preds.string() + "_results.jsonl";
  fs::remove(results);
  fs::remove(results + ".tmp");
  fs::create_symlink("/dev/full", results + ".tmp");
  auto r = run_sftx("score gsm8k " + preds.string() + " --answers tests/data/eval/gsm8k_answers.jsonl", true);
  CHECK(r.status == 3);
  CHECK(r.out == "sftx score gsm8k: failed: " + results + ": cannot write: No space left on device\n");
  CHECK_FALSE(fs::exists(results));
  CHECK_FALSE(fs::exists(fs::symlink_status(results + ".tmp")));
  fs::remove(results + ".tmp");
}

TEST_CASE("sftx score whose printed scores cannot be written exits 3", "[score][disk_full]") {
  // The scores on stdout are the command's result: with stdout on /dev/full they were lost
  // and the exit status was 0.
  auto preds = scratch("gsm8k_predictions.jsonl");
  auto r = run_sftx("score gsm8k " + preds.string() + " --answers tests/data/eval/gsm8k_answers.jsonl", true, "/dev/full");
  CHECK(r.status == 3);
  CHECK_THAT(r.out, Catch::EndsWith("sftx: cannot write standard output: No space left on device\n"));
}
