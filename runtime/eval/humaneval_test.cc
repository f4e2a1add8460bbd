#include "runtime/eval/humaneval.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

namespace {
HumanEvalProblem add_problem() {
  return {"Test/0", "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n",
          "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n", "add"};
}
}  // namespace

TEST_CASE("humaneval: the program is prompt + completion + test + check(entry_point)", "[humaneval]") {
  CHECK(humaneval_program(add_problem(), "    return a + b\n") ==
        "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n    return a + b\n\n"
        "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n\ncheck(add)\n");
}

TEST_CASE("humaneval: passing, failing, crashing and looping completions", "[humaneval]") {
  SandboxLimits lim;
  lim.timeout_s = 1.0;
  auto p = add_problem();
  auto pass = check_humaneval(p, "    return a + b\n", lim);
  CHECK(pass.passed);
  CHECK(pass.result == "passed");
  auto wrong = check_humaneval(p, "    return a - b\n", lim);
  CHECK_FALSE(wrong.passed);
  CHECK(wrong.result == "failed: AssertionError");
  auto syntax = check_humaneval(p, "    return a +\n", lim);
  CHECK_FALSE(syntax.passed);
  CHECK(syntax.result.rfind("failed: SyntaxError", 0) == 0);
  auto loop = check_humaneval(p, "    while True:\n        pass\n", lim);
  CHECK_FALSE(loop.passed);
  CHECK(loop.result == "timed out");
}

TEST_CASE("humaneval: problems from JSON need every field", "[humaneval]") {
  nlohmann::json j{{"task_id", "X/1"}, {"prompt", "p"}, {"test", "t"}, {"entry_point", "f"}};
  CHECK(humaneval_problem_from_json(j).entry_point == "f");
  j.erase("test");
  CHECK_THROWS_WITH(humaneval_problem_from_json(j), Catch::Contains("\"test\""));
}

TEST_CASE("humaneval: many samples in parallel, tallied per problem", "[humaneval]") {
  std::map<std::string, HumanEvalProblem> problems{{"Test/0", add_problem()}};
  std::vector<HumanEvalSample> samples{{"Test/0", "    return a + b\n"},
                                      {"Test/0", "    return b + a\n"},
                                      {"Test/0", "    return 3\n"}};
  auto out = check_humaneval_samples(problems, samples, {}, 2);
  REQUIRE(out.size() == 3);
  CHECK(out[0].passed);
  CHECK(out[1].passed);
  CHECK_FALSE(out[2].passed);
  auto t = tally_by_problem(samples, out);
  CHECK(t["Test/0"].n == 3);
  CHECK(t["Test/0"].c == 2);
  CHECK_THROWS_WITH(check_humaneval_samples(problems, {{"Nope/1", ""}}, {}, 1), Catch::Contains("Nope/1"));
}

TEST_CASE("humaneval: completions from chat replies", "[humaneval]") {
  CHECK(completion_from_response("    return a + b\n") == "    return a + b\n");
  CHECK(completion_from_response("Here:\n```python\ndef add(a, b):\n    return a + b\n```\nDone.") ==
        "def add(a, b):\n    return a + b\n");
  auto p = add_problem();
  CHECK(check_humaneval(p, completion_from_response("```python\ndef add(a, b):\n    return a + b\n```")).passed);
}
