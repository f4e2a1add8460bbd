// MT-Bench-style judging through an external judge command (sftx.toml `[judge] command =
// [...]`, handed over as EvalRequest.params["judge_command"]). The command runs once per
// (question, answer): it reads one JSON object on stdin,
//   {"question": "...", "answer": "...", "reference": "..." (when the record has one),
//    "id": "..."}
// and prints a JSON score on stdout: {"score": 7} or a bare number; 1 <= score <= 10.
// Anything else is an error naming the judge and quoting its output.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

struct JudgeInput {
  std::string id, question, answer, reference;
};

// Throws std::runtime_error when the judge fails, times out or prints no valid score.
double judge_answer(const std::vector<std::string>& command, const JudgeInput& input, double timeout_s = 300);

// params["judge_command"]: a list of strings (argv) or one string (run with `sh -c`).
std::vector<std::string> judge_command_from_params(const nlohmann::json& params);

}  // namespace sftx::rt
