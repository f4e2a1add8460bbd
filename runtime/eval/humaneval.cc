#include "runtime/eval/humaneval.h"

#include "runtime/eval/humaneval_harness.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace sftx::rt {
namespace {

std::string required_string(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    throw std::runtime_error(std::string("HumanEval problem needs a string field \"") + key + "\"");
  return it->get<std::string>();
}

}  // namespace

HumanEvalProblem humaneval_problem_from_json(const nlohmann::json& j) {
  return {required_string(j, "task_id"), required_string(j, "prompt"), required_string(j, "test"),
          required_string(j, "entry_point")};
}

std::string completion_from_response(const std::string& response) {
  size_t open = response.find("```");
  if (open == std::string::npos) return response;
  size_t line_end = response.find('\n', open);
  if (line_end == std::string::npos) return response;
  size_t close = response.find("```", line_end + 1);
  return response.substr(line_end + 1, close == std::string::npos ? std::string::npos : close - line_end - 1);
}

std::string humaneval_program(const HumanEvalProblem& p, const std::string& completion) {
  return p.prompt + completion + "\n" + p.test + "\n" + "check(" + p.entry_point + ")\n";
}

HumanEvalOutcome check_humaneval(const HumanEvalProblem& problem, const std::string& completion,
                                 const SandboxLimits& limits) {
  const std::string token = new_harness_token();
  SandboxResult r = run_python_sandboxed(harness_source(humaneval_program(problem, completion)), limits, token);
  HarnessVerdict v = harness_verdict(r, token);
  return {v.passed, v.result};
}

std::vector<HumanEvalOutcome> check_humaneval_samples(const std::map<std::string, HumanEvalProblem>& problems,
                                                      const std::vector<HumanEvalSample>& samples,
                                                      const SandboxLimits& limits, int workers,
                                                      const std::function<void(int64_t, int64_t)>& progress) {
  for (const auto& s : samples)
    if (!problems.count(s.task_id)) throw std::runtime_error("sample for unknown task_id \"" + s.task_id + "\"");
  std::vector<HumanEvalOutcome> out(samples.size());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0};
  std::mutex report_mu;
  std::exception_ptr failure;
  auto work = [&] {
    for (size_t i; (i = next++) < samples.size();) {
      try {
        out[i] = check_humaneval(problems.at(samples[i].task_id), samples[i].completion, limits);
      } catch (...) {
        std::lock_guard<std::mutex> lock(report_mu);
        if (!failure) failure = std::current_exception();
        return;
      }
      int64_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(report_mu);
        progress(d, static_cast<int64_t>(samples.size()));
      }
    }
  };
  int n = std::max(1, std::min<int>(workers, static_cast<int>(samples.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return out;
}

std::map<std::string, ProblemTally> tally_by_problem(const std::vector<HumanEvalSample>& samples,
                                                     const std::vector<HumanEvalOutcome>& outcomes) {
  std::map<std::string, ProblemTally> t;
  for (size_t i = 0; i < samples.size() && i < outcomes.size(); ++i) {
    auto& e = t[samples[i].task_id];
    e.n += 1;
    e.c += outcomes[i].passed ? 1 : 0;
  }
  return t;
}

}  // namespace sftx::rt
