#include "runtime/eval/mtbench.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

namespace {
std::vector<std::string> judge() { return {"python3", std::string(SFTX_SOURCE_DIR) + "/tests/data/eval/judge.py"}; }
}  // namespace

TEST_CASE("mtbench: scores from a judge command (hand-computed)", "[mtbench]") {
  // Question words longer than three letters: explain, why, (no: "the" "sky" "is"), blue -> {explain, blue}
  CHECK(judge_answer(judge(), {"q1", "Explain why the sky is blue.", "The sky looks blue because...", ""}) == 2.0);
  CHECK(judge_answer(judge(), {"q2", "Explain why the sky is blue.", "I explain: blue light scatters.", ""}) == 3.0);
  CHECK(judge_answer(judge(), {"q3", "Explain why the sky is blue.", "No idea.", ""}) == 1.0);
}

TEST_CASE("mtbench: judge failures are errors naming the judge", "[mtbench]") {
  CHECK_THROWS_WITH(judge_answer(judge(), {"q4", "Q", "FAIL", ""}), Catch::Contains("refusing on purpose"));
  CHECK_THROWS_WITH(judge_answer(judge(), {"q5", "Q", "GARBAGE", ""}), Catch::Contains("expected JSON"));
  CHECK_THROWS_WITH(judge_answer({"sh", "-c", "echo '{\"score\": 11}'"}, {"q6", "Q", "A", ""}),
                    Catch::Contains("outside 1..10"));
  CHECK(judge_answer({"sh", "-c", "cat >/dev/null; echo 4.5"}, {"q7", "Q", "A", ""}) == 4.5);
}

TEST_CASE("mtbench: judge command from params", "[mtbench]") {
  CHECK(judge_command_from_params({{"judge_command", {"a", "b"}}}) == std::vector<std::string>{"a", "b"});
  CHECK(judge_command_from_params({{"judge_command", "x y"}}) == std::vector<std::string>{"sh", "-c", "x y"});
  CHECK_THROWS_WITH(judge_command_from_params(nlohmann::json::object()), Catch::Contains("sftx.toml"));
}
