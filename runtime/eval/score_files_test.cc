#include "runtime/eval/score_files.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "runtime/base/jsonl.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {
const fs::path kData = fs::path(SFTX_SOURCE_DIR) / "tests/data/eval";

// A scratch copy: scoring writes its results beside the input.
fs::path scratch_copy(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "sftx-score-files-test";
  fs::create_directories(dir);
  fs::copy_file(kData / name, dir / name, fs::copy_options::overwrite_existing);
  return dir / name;
}
}  // namespace

TEST_CASE("score humaneval: known outcomes give the public formula's pass@k", "[score]") {
  auto samples = scratch_copy("humaneval_samples.jsonl");
  HumanEvalScoreOptions opt;
  opt.ks = {1, 2, 5, 10};
  opt.timeout_s = 1.0;
  auto s = score_humaneval_file(samples.string(), (kData / "humaneval_problems.jsonl").string(), opt);
  // Toy/0: 2 of 5 pass, Toy/1: 0 of 5, Toy/2: 5 of 5.
  CHECK(s.scores["pass@1"].get<double>() == Approx((2.0 / 5 + 0 + 1) / 3));
  // pass@2: Toy/0 1 - C(3,2)/C(5,2) = 0.7; Toy/1 0; Toy/2 1.
  CHECK(s.scores["pass@2"].get<double>() == Approx((0.7 + 0 + 1) / 3));
  // pass@5: Toy/0 n-c = 3 < 5 -> 1; Toy/1 0; Toy/2 1.
  CHECK(s.scores["pass@5"].get<double>() == Approx(2.0 / 3));
  CHECK_FALSE(s.scores.contains("pass@10"));  // only 5 samples per problem
  CHECK(s.samples == 15);
  CHECK(s.problems == 3);
  CHECK(s.problems_missing == 0);
  CHECK_FALSE(fs::exists("/etc/sftx-pwned"));

  // Per-sample results beside the input, in input order, each as the file said it would be.
  REQUIRE(s.results_path == samples.string() + "_results.jsonl");
  auto rows = read_jsonl_objects(s.results_path);
  REQUIRE(rows.size() == 15);
  for (const auto& r : rows) {
    INFO(r.value.dump());
    CHECK(r.value["passed"] == r.value["expected_passed"]);
    CHECK(r.value.contains("task_id"));
    CHECK(r.value.contains("completion"));
  }
  CHECK(rows[1].value["result"] == "failed: AssertionError");
  CHECK(rows[6].value["result"] == "timed out");
  CHECK(rows[0].value["result"] == "passed");
}

TEST_CASE("score humaneval: bad samples are reported with PATH:LINE", "[score]") {
  fs::path dir = fs::temp_directory_path() / "sftx-score-files-test";
  fs::create_directories(dir);
  fs::path bad = dir / "bad_samples.jsonl";
  std::ofstream(bad) << "{\"task_id\": \"Toy/0\", \"completion\": \"    return a + b\\n\"}\n"
                        "{\"task_id\": \"Toy/9\", \"completion\": \"\"}\n";
  CHECK_THROWS_WITH(score_humaneval_file(bad.string(), (kData / "humaneval_problems.jsonl").string(), {}),
                    Catch::Contains(bad.string() + ":2: task_id \"Toy/9\""));
}

TEST_CASE("score gsm8k: matching by idx, task_id and question, results beside the input", "[score]") {
  auto preds = scratch_copy("gsm8k_predictions.jsonl");
  auto s = score_gsm8k_file(preds.string(), (kData / "gsm8k_answers.jsonl").string());
  // 7 == 7, 1265 == "1,265"; "4.50" is not "4.5" (lm-eval compares strings); the last says 4
  // but the answer is 8.
  CHECK(s.scores["accuracy"].get<double>() == Approx(0.5));
  CHECK(s.scores["correct"] == 2);
  CHECK(s.scores["n"] == 4);
  auto rows = read_jsonl_objects(s.results_path);
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].value["extracted"] == "1265");
  CHECK(rows[1].value["expected"] == "1265");
  CHECK(rows[2].value["extracted"] == "4.50");
  CHECK(rows[2].value["correct"] == false);
  CHECK(rows[3].value["extracted"] == "4");
  CHECK(rows[3].value["correct"] == false);
}
