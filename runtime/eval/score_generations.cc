#include "runtime/eval/score_generations.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "runtime/base/strings.h"
#include "runtime/eval/gsm8k.h"
#include "runtime/eval/code_scoring.h"
#include "runtime/eval/humaneval.h"
#include "runtime/eval/ifeval.h"
#include "runtime/base/atomic_file.h"
#include "runtime/base/jsonl.h"
#include "runtime/eval/metric_handlers.h"
#include "runtime/eval/mtbench.h"
#include "runtime/eval/pass_at_k.h"

namespace sftx::rt {
namespace {

ScoredSamples score_gsm8k_completions(const std::vector<Record>& records,
                                      const std::vector<std::vector<std::string>>& completions,
                                      const nlohmann::json& params, const ProgressFn& progress) {
  std::vector<nlohmann::json> rows;
  auto report = [&](size_t done) {
    if (progress) progress({"eval", static_cast<int64_t>(done), static_cast<int64_t>(records.size()), "gsm8k"});
  };
  (void)report;
  (void)params;

  int64_t correct = 0, total = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    std::string reference =
        r.meta.contains("answer")
            ? (r.meta["answer"].is_string() ? r.meta["answer"].get<std::string>() : r.meta["answer"].dump())
            : last_message(r, "assistant");
    if (reference.empty()) throw std::runtime_error(record_name(records, i) + ": gsm8k needs meta.answer");
    for (const auto& c : completions[i]) {
      auto v = score_gsm8k(c, reference);
      correct += v.correct;
      ++total;
      rows.push_back({{"id", i},
                      {"question", last_message(r, "user")},
                      {"completion", c},
                      {"extracted", v.predicted ? nlohmann::json(*v.predicted) : nlohmann::json()},
                      {"expected", v.expected ? nlohmann::json(*v.expected) : nlohmann::json()},
                      {"correct", v.correct}});
    }
    report(i + 1);
  }
  double acc = total ? static_cast<double>(correct) / static_cast<double>(total) : 0.0;
  return ScoredSamples{{{"accuracy", acc}}, std::move(rows)};
}

ScoredSamples score_humaneval_completions(const std::vector<Record>& records,
                                          const std::vector<std::vector<std::string>>& completions,
                                          const nlohmann::json& params, const ProgressFn& progress) {
  return score_code_completions(records, completions, params, progress, "humaneval", humaneval_problem_from_json);
}

ScoredSamples score_ifeval_completions(const std::vector<Record>& records,
                                       const std::vector<std::vector<std::string>>& completions,
                                       const nlohmann::json& params, const ProgressFn& progress) {
  std::vector<nlohmann::json> rows;
  auto report = [&](size_t done) {
    if (progress) progress({"eval", static_cast<int64_t>(done), static_cast<int64_t>(records.size()), "ifeval"});
  };
  (void)report;
  (void)params;

  std::vector<IfevalVerdict> verdicts;
  for (size_t i = 0; i < records.size(); ++i) {
    IfevalItem item;
    try {
      item = ifeval_item_from_json(records[i].meta);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(record_name(records, i) + ": " + e.what());
    }
    for (const auto& c : completions[i]) {
      IfevalVerdict v = check_ifeval(item, c);
      rows.push_back({{"prompt", last_message(records[i], "user")},
                      {"response", c},
                      {"instruction_id_list", item.instruction_ids},
                      {"follow_instruction_list_strict", v.strict},
                      {"follow_instruction_list_loose", v.loose},
                      {"follow_all_instructions_strict", v.strict_all},
                      {"follow_all_instructions_loose", v.loose_all}});
      verdicts.push_back(std::move(v));
    }
    report(i + 1);
  }
  auto s = summarize_ifeval(verdicts).to_json();
  s.erase("prompts");
  s.erase("instructions");
  return ScoredSamples{s, std::move(rows)};
}

ScoredSamples score_mtbench_completions(const std::vector<Record>& records,
                                        const std::vector<std::vector<std::string>>& completions,
                                        const nlohmann::json& params, const ProgressFn& progress) {
  std::vector<nlohmann::json> rows;
  auto report = [&](size_t done) {
    if (progress) progress({"eval", static_cast<int64_t>(done), static_cast<int64_t>(records.size()), "mtbench"});
  };
  (void)report;
  (void)params;

  auto command = judge_command_from_params(params);
  double timeout = params.value("judge_timeout", 300.0);
  double sum = 0;
  int64_t n = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    std::string reference = r.meta.contains("reference") && r.meta["reference"].is_string()
                                ? r.meta["reference"].get<std::string>()
                                : last_message(r, "assistant");
    for (const auto& c : completions[i]) {
      JudgeInput in{std::to_string(i), last_message(r, "user"), c, reference};
      double score = 0;
      try {
        score = judge_answer(command, in, timeout);
      } catch (const std::runtime_error& e) {
        throw std::runtime_error(record_name(records, i) + ": " + e.what());
      }
      sum += score;
      ++n;
      rows.push_back({{"id", i}, {"question", in.question}, {"answer", c}, {"score", score}});
    }
    report(i + 1);
  }
  return ScoredSamples{{{"score", n ? sum / static_cast<double>(n) : 0.0}}, std::move(rows)};
}

}  // namespace

bool is_generative_metric(const std::string& m) {
  const MetricHandler* h = find_metric_handler(m);
  return h && h->score;
}

std::string last_message(const Record& r, const std::string& role) {
  for (auto it = r.messages.rbegin(); it != r.messages.rend(); ++it)
    if (it->role == role) return it->content;
  return "";
}

nlohmann::json score_generations(const std::string& metric, const std::vector<Record>& records,
                                 const std::vector<std::vector<std::string>>& completions, const nlohmann::json& params,
                                 const std::string& out_dir, const ProgressFn& progress) {
  if (completions.size() != records.size())
    throw std::runtime_error("score_generations: " + std::to_string(completions.size()) + " completion lists for " +
                             std::to_string(records.size()) + " records");
  const MetricHandler* h = find_metric_handler(metric);
  if (!h || !h->score) {
    std::vector<std::string> known;
    for (const auto& name : metric_handler_names())
      if (find_metric_handler(name)->score) known.push_back(name);
    throw std::runtime_error("unknown generative metric \"" + metric + "\" (known: " + join_names(known) + ")");
  }
  ScoredSamples scored = h->score(records, completions, params, progress);
  std::filesystem::create_directories(out_dir);
  const std::string samples = (std::filesystem::path(out_dir) / "samples.jsonl").string();
  write_jsonl(samples, scored.rows);
  nlohmann::json result{
      {"metric", metric}, {"scores", std::move(scored.scores)}, {"n", records.size()}, {"samples", samples}};
  write_file_atomic((std::filesystem::path(out_dir) / "result.json").string(), result.dump(2) + "\n");
  return result;
}

namespace {
const MetricRegistration gsm8k_metric({"gsm8k", score_gsm8k_completions, nullptr});
const MetricRegistration humaneval_metric({"humaneval", score_humaneval_completions, nullptr});
const MetricRegistration ifeval_metric({"ifeval", score_ifeval_completions, nullptr, kIfevalScorerVersion});
const MetricRegistration mtbench_metric({"mtbench", score_mtbench_completions, nullptr});
}  // namespace

}  // namespace sftx::rt
