// rt::evaluate (runtime/api.h): one evaluation node. Reads the eval records, renders each
// prompt with the chat template, tokenises it here (the driver owns SentencePiece), lets the
// worker generate (rt::generate), scores what came back, and leaves everything as plain files
// in out_dir: prompts.jsonl, vocab.json, generations.jsonl, samples.jsonl, result.json — so the
// executor can cache the node by its key like any other.
//
// Metrics come from the runtime's metric table (metric_handlers.h): a generative one is
// generated here and scored by its scorer; perplexity and tsne run themselves. A generative
// metric also scores the reference answers (params.answer_nll, default true): the mean negative
// log-likelihood per token of the records' assistant tokens, through the same masked log-prob
// path as perplexity, in one more worker call (answer_sequences.jsonl, answer_logprobs.jsonl, per
// record answer_nll.jsonl); scores gain "answer_nll", the result "answer_tokens" and
// "answer_records".
//
// Generation params (EvalRequest.params, the metric's keyword arguments with the defaults of its
// entry in stdlib/builtins.cc filled in): max_new_tokens, temperature, top_p, seed, batch, stop
// (extra stop strings; the template's end-of-turn markers always stop), samples (completions per
// prompt), limit (the first N records). One left out takes rt::GenerateRequest's default, which
// is the built-in table's (a test in interpreter/exec compares them).
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "runtime/api.h"
#include "runtime/base/strings.h"
#include "runtime/data/chat_template.h"
#include "runtime/eval/eval_records.h"
#include "runtime/base/atomic_file.h"
#include "runtime/base/jsonl.h"
#include "runtime/eval/metric_handlers.h"
#include "runtime/eval/perplexity.h"
#include "runtime/eval/score_generations.h"
#include "runtime/eval/tsne_eval.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {
namespace {

namespace fs = std::filesystem;

int64_t samples_per_prompt(const EvalRequest& req) {
  return std::max<int64_t>(1, req.params.value("samples", int64_t{1}));
}

// The one path from records to the worker's masked log-probs (perplexity and answer NLL): each
// record rendered with the template and masked as training masks it (assistant tokens and their
// end-of-turn marker), at most params.max_len (2048) tokens. Writes out_dir/<prefix>sequences.jsonl;
// the worker writes out_dir/<prefix>logprobs.jsonl ({"id": record index, "logprob", "tokens"}).
// Records without an assistant token are skipped (counted in "skipped"); when none is left
// the worker is not called and "logprobs" is "".
nlohmann::json masked_logprobs(const EvalRequest& req, const std::vector<Record>& records, const Tokenizer& tok,
                               const std::string& prefix) {
  const fs::path out(req.out_dir);
  LogprobRequest lr;
  lr.checkpoint_dir = req.checkpoint_dir;
  lr.sequences_jsonl = (out / (prefix + "sequences.jsonl")).string();
  lr.out_jsonl = (out / (prefix + "logprobs.jsonl")).string();
  lr.device = req.device;
  lr.progress = req.progress;
  auto stats = write_logprob_sequences(records, tok, ChatTemplate::resolve(req.chat_template, req.chat_template_dir),
                                       req.params.value("max_len", int64_t{2048}), lr.sequences_jsonl);
  stats["logprobs"] = "";
  if (stats["sequences"].get<int64_t>() == 0) return stats;
  token_logprobs(lr);
  stats["logprobs"] = lr.out_jsonl;
  return stats;
}

// answer_nll of a generative metric: added to `result` (and its result.json) in place. A test
// set whose records carry no assistant message gets none.
void add_answer_nll(const EvalRequest& req, const std::vector<Record>& records, const Tokenizer& tok,
                    nlohmann::json& result) {
  auto stats = masked_logprobs(req, records, tok, "answer_");
  const std::string logprobs = stats["logprobs"];
  if (logprobs.empty()) return;
  auto total = perplexity_from_logprobs(logprobs);
  result["scores"]["answer_nll"] = total["nll_per_token"];
  result["answer_tokens"] = total["tokens"];
  result["answer_records"] = stats["sequences"];
  write_answer_nll_per_record(logprobs, (fs::path(req.out_dir) / "answer_nll.jsonl").string());
  write_file_atomic((fs::path(req.out_dir) / "result.json").string(), result.dump(2) + "\n");
}

nlohmann::json run_generative(const EvalRequest& req, const std::vector<Record>& records) {
  const fs::path out(req.out_dir);
  const auto tmpl = ChatTemplate::resolve(req.chat_template, req.chat_template_dir);
  Tokenizer tok = Tokenizer::load(req.tokenizer_model);
  const int64_t n = samples_per_prompt(req);

  std::vector<nlohmann::json> prompts;
  for (size_t i = 0; i < records.size(); ++i) {
    std::vector<int32_t> ids;
    try {
      ids = tok.encode_segments(tmpl.render_prompt(records[i].messages)).ids;
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(req.data_jsonl + ": record " + std::to_string(i + 1) + " (" + records[i].origin +
                               "): " + e.what());
    }
    for (int64_t s = 0; s < n; ++s) prompts.push_back({{"id", std::to_string(i) + "#" + std::to_string(s)}, {"ids", ids}});
  }
  GenerateRequest g;
  g.checkpoint_dir = req.checkpoint_dir;
  g.prompts_jsonl = (out / "prompts.jsonl").string();
  g.vocab_json = (out / "vocab.json").string();
  g.out_jsonl = (out / "generations.jsonl").string();
  write_jsonl(g.prompts_jsonl, prompts);
  tok.write_pieces_json(g.vocab_json);
  g.max_new_tokens = req.params.value("max_new_tokens", g.max_new_tokens);
  g.temperature = req.params.value("temperature", g.temperature);
  g.top_p = req.params.value("top_p", g.top_p);
  g.seed = req.params.value("seed", g.seed);
  g.batch = req.params.value("batch", g.batch);
  g.stop = tmpl.stop_strings();
  if (req.params.contains("stop"))
    for (const auto& s : req.params["stop"]) g.stop.push_back(s.get<std::string>());
  g.device = req.device;
  g.progress = req.progress;
  generate(g);

  // Completions back in record order; cut at the first stop string in case the worker kept it.
  std::map<std::string, std::string> text_by_id;
  for (const auto& row : read_jsonl_objects(g.out_jsonl)) {
    std::string text = row.value.value("text", std::string());
    size_t cut = std::string::npos;
    for (const auto& s : g.stop)
      if (!s.empty()) cut = std::min(cut, text.find(s));
    if (cut != std::string::npos) text.resize(cut);
    text_by_id[row.value.value("id", std::string())] = text;
  }
  std::vector<std::vector<std::string>> completions(records.size());
  for (size_t i = 0; i < records.size(); ++i)
    for (int64_t s = 0; s < n; ++s) {
      auto it = text_by_id.find(std::to_string(i) + "#" + std::to_string(s));
      if (it == text_by_id.end())
        throw std::runtime_error(g.out_jsonl + ": no generation for prompt " + std::to_string(i) + "#" + std::to_string(s));
      completions[i].push_back(it->second);
    }
  auto result = score_generations(req.metric, records, completions, req.params, req.out_dir, req.progress);
  if (req.params.value("answer_nll", true)) add_answer_nll(req, records, tok, result);
  return result;
}

nlohmann::json run_perplexity(const EvalRequest& req, const std::vector<Record>& records) {
  auto stats = masked_logprobs(req, records, Tokenizer::load(req.tokenizer_model), "");
  const std::string logprobs = stats["logprobs"];
  if (logprobs.empty()) throw std::runtime_error(req.data_jsonl + ": no record has an assistant token to score");
  nlohmann::json result{{"metric", "perplexity"},
                        {"scores", perplexity_from_logprobs(logprobs)},
                        {"n", stats["sequences"]},
                        {"samples", logprobs}};
  write_file_atomic((fs::path(req.out_dir) / "result.json").string(), result.dump(2) + "\n");
  return result;
}

// Several data sets (t-SNE: one per source argument) arrive as params.data_jsonl_list. Each
// file's records are labelled by the file: its most common Record::source, made unique.
std::vector<Record> load_records(const EvalRequest& req) {
  if (!req.params.contains("data_jsonl_list")) return load_eval_records(req.data_jsonl);
  std::vector<Record> all;
  std::set<std::string> used;
  size_t index = 0;
  for (const auto& f : req.params["data_jsonl_list"]) {
    ++index;
    auto part = load_eval_records(f.get<std::string>());
    std::map<std::string, int> counts;
    for (const auto& r : part) ++counts[r.source];
    std::string label = "data" + std::to_string(index);
    int best = 0;
    for (const auto& [src, c] : counts)
      if (!src.empty() && c > best) {
        best = c;
        label = src;
      }
    if (used.count(label)) label += " #" + std::to_string(index);
    used.insert(label);
    for (auto& r : part) {
      r.source = label;
      all.push_back(std::move(r));
    }
  }
  return all;
}

}  // namespace

nlohmann::json evaluate(const EvalRequest& req) {
  if (req.out_dir.empty()) throw std::runtime_error("evaluate: the request has no out_dir");
  fs::create_directories(req.out_dir);
  std::vector<Record> records = load_records(req);
  const MetricHandler* h = find_metric_handler(req.metric);
  if (!h) {
    throw std::runtime_error("evaluate: unknown metric \"" + req.metric + "\" (known: " +
                             join_names(metric_handler_names()) + ")");
  }
  if (req.params.contains("limit")) {
    size_t limit = req.params["limit"].get<size_t>();
    if (records.size() > limit) records.resize(limit);
  }
  return h->run ? h->run(req, records) : run_generative(req, records);
}

namespace {
const MetricRegistration perplexity_metric({"perplexity", nullptr, run_perplexity});
const MetricRegistration tsne_metric({"tsne", nullptr, run_tsne_eval});
}  // namespace

}  // namespace sftx::rt
