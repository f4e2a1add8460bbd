#include "runtime/eval/score_files.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>
#include <thread>

#include "runtime/eval/gsm8k.h"
#include "runtime/eval/humaneval.h"
#include "runtime/base/jsonl.h"
#include "runtime/eval/pass_at_k.h"

namespace sftx::rt {
namespace {

std::string where(const std::string& path, int64_t line) { return path + ":" + std::to_string(line) + ": "; }

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// "gsm8k/12" -> 12, 12 -> 12; -1 when there is no trailing integer.
int64_t trailing_index(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string()) return -1;
  const std::string s = v.get<std::string>();
  size_t i = s.size();
  while (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1]))) --i;
  if (i == s.size()) return -1;
  return std::stoll(s.substr(i));
}

}  // namespace

FileScore score_humaneval_file(const std::string& samples_path, const std::string& problems_path,
                               const HumanEvalScoreOptions& options,
                               const std::function<void(int64_t, int64_t)>& progress) {
  std::map<std::string, HumanEvalProblem> problems;
  for (const auto& row : read_jsonl_objects(problems_path)) {
    try {
      auto p = humaneval_problem_from_json(row.value);
      problems[p.task_id] = p;
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(where(problems_path, row.line) + e.what());
    }
  }
  auto rows = read_jsonl_objects(samples_path);
  std::vector<HumanEvalSample> samples;
  for (const auto& row : rows) {
    const auto& j = row.value;
    if (!j.contains("task_id") || !j["task_id"].is_string())
      throw std::runtime_error(where(samples_path, row.line) + "a sample needs a string \"task_id\"");
    if (!j.contains("completion") || !j["completion"].is_string())
      throw std::runtime_error(where(samples_path, row.line) + "a sample needs a string \"completion\"");
    std::string id = j["task_id"];
    if (!problems.count(id))
      throw std::runtime_error(where(samples_path, row.line) + "task_id \"" + id + "\" is not in " + problems_path);
    samples.push_back({id, j["completion"]});
  }
  for (int64_t k : options.ks)
    if (k < 1) throw std::runtime_error("k must be >= 1 (got " + std::to_string(k) + ")");

  SandboxLimits limits;
  limits.timeout_s = options.timeout_s;
  int workers = options.workers > 0 ? options.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto outcomes = check_humaneval_samples(problems, samples, limits, workers, progress);

  FileScore fs;
  std::vector<nlohmann::json> results;
  for (size_t i = 0; i < rows.size(); ++i) {
    nlohmann::json r = rows[i].value;
    r["result"] = outcomes[i].result;
    r["passed"] = outcomes[i].passed;
    results.push_back(std::move(r));
  }
  fs.results_path = samples_path + "_results.jsonl";
  write_jsonl(fs.results_path, results);

  auto tallies = tally_by_problem(samples, outcomes);
  fs.scores = nlohmann::json::object();
  for (const auto& [k, v] : mean_pass_at_k(tallies, options.ks)) fs.scores["pass@" + std::to_string(k)] = v;
  fs.samples = static_cast<int64_t>(samples.size());
  fs.problems = static_cast<int64_t>(tallies.size());
  fs.problems_missing = static_cast<int64_t>(problems.size() - tallies.size());
  if (!samples.empty()) fs.isolation = run_python_sandboxed("pass\n", limits).isolation.describe();
  return fs;
}

FileScore score_gsm8k_file(const std::string& predictions_path, const std::string& answers_path) {
  auto answers = read_jsonl_objects(answers_path);
  std::map<std::string, size_t> by_question;
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& a = answers[i].value;
    if (!a.contains("answer") || !(a["answer"].is_string() || a["answer"].is_number()))
      throw std::runtime_error(where(answers_path, answers[i].line) + "an answer line needs \"answer\"");
    if (a.contains("question") && a["question"].is_string()) by_question.emplace(trimmed(a["question"]), i);
  }
  auto preds = read_jsonl_objects(predictions_path);
  FileScore fs;
  std::vector<nlohmann::json> results;
  std::vector<bool> attempted(answers.size(), false);
  int64_t correct = 0;
  for (size_t i = 0; i < preds.size(); ++i) {
    const auto& p = preds[i].value;
    std::string completion;
    bool found = false;
    for (const char* key : {"completion", "prediction", "response", "output"}) {
      if (p.contains(key) && p[key].is_string()) {
        completion = p[key];
        found = true;
        break;
      }
    }
    if (!found)
      throw std::runtime_error(where(predictions_path, preds[i].line) +
                               "a prediction needs a string \"completion\" (or \"prediction\")");
    int64_t idx = -1;
    if (p.contains("idx")) idx = trailing_index(p["idx"]);
    else if (p.contains("task_id")) idx = trailing_index(p["task_id"]);
    else if (p.contains("question") && p["question"].is_string()) {
      auto it = by_question.find(trimmed(p["question"]));
      if (it == by_question.end())
        throw std::runtime_error(where(predictions_path, preds[i].line) + "question not found in " + answers_path);
      idx = static_cast<int64_t>(it->second);
    } else {
      if (preds.size() != answers.size())
        throw std::runtime_error(where(predictions_path, preds[i].line) +
                                 "no \"idx\", \"task_id\" or \"question\", and the files differ in length (" +
                                 std::to_string(preds.size()) + " predictions, " + std::to_string(answers.size()) +
                                 " answers), so lines cannot be matched by position");
      idx = static_cast<int64_t>(i);
    }
    if (idx < 0 || idx >= static_cast<int64_t>(answers.size()))
      throw std::runtime_error(where(predictions_path, preds[i].line) + "index " + std::to_string(idx) +
                               " is outside " + answers_path + " (" + std::to_string(answers.size()) + " answers)");
    const auto& ans = answers[static_cast<size_t>(idx)].value["answer"];
    std::string reference = ans.is_string() ? ans.get<std::string>() : ans.dump();
    auto v = score_gsm8k(completion, reference);
    attempted[static_cast<size_t>(idx)] = true;
    correct += v.correct;
    nlohmann::json r = p;
    r["extracted"] = v.predicted ? nlohmann::json(*v.predicted) : nlohmann::json();
    r["expected"] = v.expected ? nlohmann::json(*v.expected) : nlohmann::json();
    r["correct"] = v.correct;
    results.push_back(std::move(r));
  }
  fs.results_path = predictions_path + "_results.jsonl";
  write_jsonl(fs.results_path, results);
  fs.samples = static_cast<int64_t>(preds.size());
  for (bool a : attempted) fs.problems += a;
  fs.problems_missing = static_cast<int64_t>(answers.size()) - fs.problems;
  fs.scores = {{"accuracy", preds.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(preds.size())},
               {"correct", correct},
               {"n", fs.samples}};
  return fs;
}

}  // namespace sftx::rt
