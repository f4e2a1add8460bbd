#include "runtime/eval/mtbench.h"

#include <stdexcept>

#include "runtime/eval/subprocess.h"

namespace sftx::rt {
namespace {

std::string command_text(const std::vector<std::string>& cmd) {
  std::string s;
  for (const auto& a : cmd) s += (s.empty() ? "" : " ") + a;
  return s;
}

std::string excerpt(const std::string& s) { return s.size() > 300 ? s.substr(0, 300) + "..." : s; }

}  // namespace

std::vector<std::string> judge_command_from_params(const nlohmann::json& params) {
  if (!params.contains("judge_command") || params["judge_command"].is_null())
    throw std::runtime_error(
        "mtbench needs a judge: set [judge] command = [\"prog\", \"arg\", ...] in sftx.toml "
        "(or mtbench(data, judge = \"...\"))");
  const auto& c = params["judge_command"];
  if (c.is_string()) return {"sh", "-c", c.get<std::string>()};
  std::vector<std::string> argv;
  if (c.is_array())
    for (const auto& a : c) {
      if (!a.is_string()) throw std::runtime_error("judge command: every element must be a string");
      argv.push_back(a.get<std::string>());
    }
  if (argv.empty()) throw std::runtime_error("judge command: empty");
  return argv;
}

double judge_answer(const std::vector<std::string>& command, const JudgeInput& in, double timeout_s) {
  nlohmann::json req{{"id", in.id}, {"question", in.question}, {"answer", in.answer}};
  if (!in.reference.empty()) req["reference"] = in.reference;
  ProcessResult r = run_process(command, req.dump() + "\n", timeout_s);
  const std::string who = "judge `" + command_text(command) + "` on " + (in.id.empty() ? "an answer" : in.id);
  if (r.timed_out) throw std::runtime_error(who + ": timed out after " + std::to_string(timeout_s) + " s");
  if (!r.ok())
    throw std::runtime_error(who + ": exit status " + std::to_string(r.exit_code) + ": " + excerpt(r.stderr_text));
  nlohmann::json out;
  try {
    out = nlohmann::json::parse(r.stdout_text);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(who + ": expected JSON like {\"score\": 7} on stdout, got: " + excerpt(r.stdout_text));
  }
  if (out.is_object() && out.contains("score")) out = out["score"];
  if (!out.is_number())
    throw std::runtime_error(who + ": expected a numeric \"score\", got: " + excerpt(r.stdout_text));
  double score = out.get<double>();
  if (score < 1 || score > 10) throw std::runtime_error(who + ": score " + out.dump() + " is outside 1..10");
  return score;
}

}  // namespace sftx::rt
