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

TEST_CASE("sftx score gsm8k prints accuracy, bad usage exits 2", "[score]") {
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
  // A real full disk: the predictions on a one-page tmpfs in a user and mount namespace
  // (unshare -r -m, no root needed), so the results file beside them cannot be written.
  // Before, this was exit 1 ("error": the input's fault) with no reason given.
  fs::path dir = fs::temp_directory_path() / "sftx-score-cli-full";
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (sftx::testing::run_command("unshare -r -m sh -c 'mount -t tmpfs -o size=4k tmpfs " + dir.string() +
                                 "' 2>/dev/null").status != 0) {
    WARN("skipped: unshare -r -m cannot mount a tmpfs here (no user namespaces)");
    return;
  }
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  const std::string preds = (dir / "gsm8k_predictions.jsonl").string();
  const std::string results = preds + "_results.jsonl";
  const std::string script = "mount -t tmpfs -o size=4k tmpfs " + dir.string() + " && cp tests/data/eval/gsm8k_predictions.jsonl " +
                             preds + " && " + bin + " score gsm8k " + preds +
                             " --answers tests/data/eval/gsm8k_answers.jsonl >/dev/null 2>" + dir.string() +
                             ".err; echo $?; cat " + dir.string() + ".err; ls " + dir.string();
  auto r = sftx::testing::run_command("unshare -r -m sh -c '" + script + "'");
  INFO(r.out);
  CHECK(r.out.rfind("3\n", 0) == 0);  // exit status 3
  CHECK(r.out.find("sftx score gsm8k: failed: " + results + ": cannot write: No space left on device\n") !=
        std::string::npos);
  // named once, in the message: `ls` of the disk lists no results file nor a temporary
  CHECK(r.out.find("_results.jsonl") == r.out.rfind("_results.jsonl"));
  fs::remove_all(dir);
  fs::remove(dir.string() + ".err");
}

TEST_CASE("sftx score whose printed scores cannot be written exits 3", "[score][disk_full]") {
  // The scores on stdout are the command's result: with stdout on /dev/full they were lost
  // and the exit status was 0.
  auto preds = scratch("gsm8k_predictions.jsonl");
  auto r = run_sftx("score gsm8k " + preds.string() + " --answers tests/data/eval/gsm8k_answers.jsonl", true, "/dev/full");
  CHECK(r.status == 3);
  CHECK_THAT(r.out, Catch::EndsWith("sftx: cannot write standard output: No space left on device\n"));
}
