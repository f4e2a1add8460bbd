#include "runtime/eval/score_generations.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "runtime/base/jsonl.h"

using namespace sftx::rt;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
Record rec(const std::string& user, const std::string& assistant, json meta) {
  Record r;
  r.messages = {{"user", user}, {"assistant", assistant}};
  r.meta = std::move(meta);
  r.origin = "test#" + user.substr(0, 5);
  return r;
}
fs::path out_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("sftx-score-gen-" + name);
  fs::remove_all(d);
  return d;
}
}  // namespace

TEST_CASE("score_generations: gsm8k accuracy and per-sample rows", "[evaluate]") {
  std::vector<Record> rs{rec("2+2?", "2+2=4\n#### 4", json{{"answer", "4"}}),
                         rec("3*3?", "#### 9", json::object())};  // reference from the assistant message
  auto res = score_generations("gsm8k", rs, {{"The answer is 4."}, {"It is 6."}}, json::object(), out_dir("gsm8k").string());
  CHECK(res["metric"] == "gsm8k");
  CHECK(res["scores"]["accuracy"] == 0.5);
  CHECK(res["n"] == 2);
  auto rows = read_jsonl_objects(res["samples"]);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].value["expected"] == "9");
  CHECK(rows[1].value["correct"] == false);
  CHECK(fs::exists(out_dir("x").parent_path() / "sftx-score-gen-gsm8k" / "result.json"));
}

TEST_CASE("score_generations: humaneval pass@k over several samples per problem", "[evaluate]") {
  json meta{{"task_id", "T/0"},
            {"prompt", "def inc(x):\n    \"\"\"x plus one\"\"\"\n"},
            {"test", "def check(f):\n    assert f(1) == 2\n"},
            {"entry_point", "inc"}};
  std::vector<Record> rs{rec("def inc(x):\n", "    return x + 1\n", meta)};
  auto res = score_generations("humaneval", rs,
                               {{"    return x + 1\n", "```python\ndef inc(x):\n    return x + 1\n```", "    return x\n"}},
                               json{{"k", {1, 2}}}, out_dir("he").string());
  // n = 3, c = 2: pass@1 = 2/3, pass@2 = 1 - C(1,2)/C(3,2) = 1.
  CHECK(res["scores"]["pass@1"].get<double>() == Approx(2.0 / 3));
  CHECK(res["scores"]["pass@2"].get<double>() == Approx(1.0));
  auto rows = read_jsonl_objects(res["samples"]);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].value["completion"] == "def inc(x):\n    return x + 1\n");
  CHECK(rows[2].value["result"] == "failed: AssertionError");
  std::vector<Record> bad{rec("x", "y", json::object())};
  CHECK_THROWS_WITH(score_generations("humaneval", bad, {{""}}, json::object(), out_dir("he2").string()),
                    Catch::Contains("record 1 (test#x)"));
}

TEST_CASE("score_generations: ifeval and mtbench", "[evaluate]") {
  std::vector<Record> rs{
      rec("Write in lowercase without commas.", "",
          json{{"instruction_id_list", {"change_case:english_lowercase", "punctuation:no_comma"}}, {"kwargs", {json::object(), json::object()}}}),
      rec("Answer in at least 3 words.", "",
          json{{"instruction_id_list", {"length_constraints:number_words"}},
               {"kwargs", {{{"relation", "at least"}, {"num_words", 3}}}}})};
  auto res = score_generations("ifeval", rs, {{"all lower, but a comma"}, {"Three words here"}}, json::object(),
                               out_dir("ifeval").string());
  // Instructions: lowercase yes, no_comma no, words yes -> 2/3; prompts: only the second -> 1/2.
  CHECK(res["scores"]["instruction_strict"].get<double>() == Approx(2.0 / 3));
  CHECK(res["scores"]["prompt_strict"].get<double>() == Approx(0.5));

  std::vector<Record> mt{rec("Explain why the sky is blue.", "Rayleigh scattering.", json::object())};
  json params{{"judge_command", {"python3", std::string(SFTX_SOURCE_DIR) + "/tests/data/eval/judge.py"}}};
  auto m = score_generations("mtbench", mt, {{"Blue light scatters more.", "I cannot explain the blue sky."}}, params,
                             out_dir("mt").string());
  // Judge: 1 + shared words of >3 letters: {blue} -> 2; {explain, blue} -> 3; mean 2.5.
  CHECK(m["scores"]["score"].get<double>() == Approx(2.5));
  CHECK_THROWS_WITH(score_generations("mtbench", mt, {{"x"}}, json::object(), out_dir("mt2").string()),
                    Catch::Contains("judge"));
}
