#include "runtime/eval/code_scoring.h"

#include <map>
#include <stdexcept>

#include "runtime/eval/pass_at_k.h"
#include "runtime/eval/sandbox.h"

namespace sftx::rt {

namespace {
std::vector<int64_t> ks_from(const nlohmann::json& params) {
  std::vector<int64_t> ks;
  if (params.contains("k")) {
    const auto& k = params["k"];
    if (k.is_array())
      for (const auto& v : k) ks.push_back(v.get<int64_t>());
    else
      ks.push_back(k.get<int64_t>());
  }
  if (ks.empty()) ks.push_back(1);
  return ks;
}
}  // namespace

ScoredSamples score_code_completions(const std::vector<Record>& records,
                                     const std::vector<std::vector<std::string>>& completions,
                                     const nlohmann::json& params, const ProgressFn& progress,
                                     const std::string& metric,
                                     HumanEvalProblem (*problem_of)(const nlohmann::json& meta)) {
  std::map<std::string, HumanEvalProblem> problems;
  std::vector<HumanEvalSample> samples;
  std::vector<std::string> responses;
  for (size_t i = 0; i < records.size(); ++i) {
    HumanEvalProblem p;
    try {
      p = problem_of(records[i].meta);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(record_name(records, i) + ": " + e.what());
    }
    problems[p.task_id] = p;
    for (const auto& c : completions[i]) {
      samples.push_back({p.task_id, completion_from_response(c)});
      responses.push_back(c);
    }
  }
  SandboxLimits limits;
  limits.timeout_s = params.value("timeout", limits.timeout_s);
  const int workers = params.value("workers", 0) > 0 ? params.value("workers", 0) : 2;
  auto outcomes = check_humaneval_samples(problems, samples, limits, workers, [&](int64_t d, int64_t t) {
    if (progress) progress({"eval", d, t, metric + " sandbox"});
  });
  ScoredSamples out;
  for (size_t s = 0; s < samples.size(); ++s)
    out.rows.push_back({{"task_id", samples[s].task_id},
                        {"completion", samples[s].completion},
                        {"response", responses[s]},
                        {"result", outcomes[s].result},
                        {"passed", outcomes[s].passed}});
  for (const auto& [k, v] : mean_pass_at_k(tally_by_problem(samples, outcomes), ks_from(params)))
    out.scores["pass@" + std::to_string(k)] = v;
  return out;
}

}  // namespace sftx::rt
