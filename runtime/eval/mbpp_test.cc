// mbpp(...) on real MBPP lines (tests/data/eval/mbpp.jsonl: tasks 2-4 of the public mbpp.jsonl,
// with their fields text, code, test_list): read through the "mbpp" format, then scored in the
// real sandbox with a right, a wrong and a crashing solution.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "runtime/data/source_format.h"
#include "runtime/eval/score_generations.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {

std::vector<Record> mbpp_records() {
  std::ifstream in(std::string(SFTX_SOURCE_DIR) + "/tests/data/eval/mbpp.jsonl");
  std::vector<Record> out;
  std::string line;
  while (std::getline(in, line)) {
    Record r = record_from_format(nlohmann::json::parse(line), "mbpp");
    r.origin = "mbpp.jsonl:" + std::to_string(out.size() + 1);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

TEST_CASE("mbpp: the format asks for the function with its tests, the reference is the code", "[mbpp]") {
  auto records = mbpp_records();
  REQUIRE(records.size() == 3);
  const auto& first = records[0];
  REQUIRE(first.messages.size() == 2);
  CHECK(first.messages[0].content.rfind("Write a function to find the similar elements", 0) == 0);
  CHECK(first.messages[0].content.find("assert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)") !=
        std::string::npos);
  CHECK(first.messages[1].content.find("def similar_elements") != std::string::npos);
  CHECK(first.meta["task_id"] == 2);
  CHECK(first.meta["test_list"].size() == 3);
  nlohmann::json no_tests = {{"task_id", 9}, {"text", "x"}, {"code", "y"}};
  CHECK_THROWS_WITH(record_from_format(no_tests, "mbpp"), "missing field \"test_list\" (format mbpp)");
}

TEST_CASE("mbpp: right, wrong and crashing solutions in the sandbox", "[mbpp][sandbox]") {
  auto records = mbpp_records();
  REQUIRE(records.size() == 3);
  // The canonical solution of task 2 (in a chat reply's fenced block), a wrong is_not_prime,
  // and a heap_queue_largest that raises.
  std::vector<std::vector<std::string>> completions = {
      {"Here it is:\n```python\n" + records[0].meta["code"].get<std::string>() + "\n```\n"},
      {"def is_not_prime(n):\n    return False\n"},
      {"def heap_queue_largest(nums, n):\n    raise RuntimeError('boom')\n"}};
  const fs::path out = fs::temp_directory_path() / "sftx-mbpp-test";
  fs::remove_all(out);
  auto result = score_generations("mbpp", records, completions, {{"k", {1}}, {"timeout", 10}}, out.string());
  CHECK(result["metric"] == "mbpp");
  CHECK(result["scores"]["pass@1"].get<double>() == Approx(1.0 / 3.0));
  std::vector<nlohmann::json> rows;
  std::ifstream in(result["samples"].get<std::string>());
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["task_id"] == "2");
  CHECK(rows[0]["passed"] == true);
  CHECK(rows[1]["passed"] == false);
  CHECK(rows[1]["result"].get<std::string>().find("AssertionError") != std::string::npos);
  CHECK(rows[2]["passed"] == false);
  CHECK(rows[2]["result"].get<std::string>().find("boom") != std::string::npos);

  // Every canonical solution passes its own tests.
  std::vector<std::vector<std::string>> canonical;
  for (const auto& r : records) canonical.push_back({r.meta["code"].get<std::string>()});
  auto all = score_generations("mbpp", records, canonical, {{"k", {1}}}, out.string());
  CHECK(all["scores"]["pass@1"].get<double>() == 1.0);
  fs::remove_all(out);
}

TEST_CASE("mbpp: a wrong solution that exits early or forges output is scored failed", "[mbpp][sandbox][harness]") {
  // MBPP's completion is the whole program, so everything it does runs before the asserts:
  // ending the process, an exit hook, a silenced print. Only the harness's proof that every
  // assert ran passes a sample (humaneval_harness.h), as with humaneval.
  auto records = mbpp_records();
  REQUIRE(records.size() == 3);
  records.resize(1);
  const std::string wrong = "def similar_elements(a, b):\n    return ()\n";
  const std::vector<std::string> hostile = {
      wrong + "import sys\nsys.exit(0)\n",
      wrong + "raise SystemExit\n",
      wrong + "import os\nos._exit(0)\n",
      wrong + "import atexit, os\natexit.register(lambda: os._exit(0))\n",
      wrong + "import builtins, sys\nprint('passed')\nbuiltins.print = lambda *a, **k: None\nsys.stdout = None\n",
  };
  const fs::path out = fs::temp_directory_path() / "sftx-mbpp-hostile-test";
  fs::remove_all(out);
  auto result = score_generations("mbpp", records, {hostile}, {{"k", {1}}, {"timeout", 10}}, out.string());
  CHECK(result["scores"]["pass@1"].get<double>() == 0.0);
  std::ifstream in(result["samples"].get<std::string>());
  int rows = 0;
  for (std::string line; std::getline(in, line); ++rows) {
    auto row = nlohmann::json::parse(line);
    INFO(hostile[static_cast<size_t>(rows)] << "\n" << row.dump());
    CHECK(row["passed"] == false);
  }
  CHECK(rows == static_cast<int>(hostile.size()));
  fs::remove_all(out);
}
