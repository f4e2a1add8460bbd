#include "runtime/eval/perplexity.h"

#include <cmath>
#include <stdexcept>

#include "runtime/base/jsonl.h"

namespace sftx::rt {

nlohmann::json write_logprob_sequences(const std::vector<Record>& records, const Tokenizer& tokenizer,
                                       const ChatTemplate& chat_template, int64_t max_len, const std::string& out_jsonl) {
  std::vector<nlohmann::json> rows;
  int64_t skipped = 0, tokens = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    EncodedDocument doc = tokenizer.encode_segments(chat_template.render(records[i].messages));
    if (max_len > 0 && static_cast<int64_t>(doc.ids.size()) > max_len) {
      doc.ids.resize(static_cast<size_t>(max_len));
      doc.loss_mask.resize(static_cast<size_t>(max_len));
    }
    int64_t masked = 0;
    for (auto m : doc.loss_mask) masked += m != 0;
    if (masked == 0) {
      ++skipped;
      continue;
    }
    tokens += masked;
    std::vector<int> mask(doc.loss_mask.begin(), doc.loss_mask.end());
    rows.push_back({{"id", std::to_string(i)}, {"ids", doc.ids}, {"mask", mask}});
  }
  write_jsonl(out_jsonl, rows);
  return {{"sequences", rows.size()}, {"skipped", skipped}, {"tokens", tokens}};
}

nlohmann::json perplexity_from_logprobs(const std::string& logprobs_jsonl) {
  double sum = 0;
  int64_t tokens = 0;
  for (const auto& row : read_jsonl_objects(logprobs_jsonl)) {
    const auto& j = row.value;
    if (!j.contains("logprob") || !j["logprob"].is_number() || !j.contains("tokens") || !j["tokens"].is_number_integer())
      throw std::runtime_error(logprobs_jsonl + ":" + std::to_string(row.line) + ": expected {\"logprob\", \"tokens\"}");
    sum += j["logprob"].get<double>();
    tokens += j["tokens"].get<int64_t>();
  }
  if (tokens == 0) throw std::runtime_error(logprobs_jsonl + ": no scored tokens");
  double nll = -sum / static_cast<double>(tokens);
  return {{"perplexity", std::exp(nll)}, {"nll_per_token", nll}, {"tokens", tokens}};
}

void write_answer_nll_per_record(const std::string& logprobs_jsonl, const std::string& out_jsonl) {
  std::vector<nlohmann::json> rows;
  for (const auto& row : read_jsonl_objects(logprobs_jsonl)) {
    const auto& j = row.value;
    const int64_t tokens = j.value("tokens", int64_t{0});
    nlohmann::json nll = tokens > 0 ? nlohmann::json(-j.value("logprob", 0.0) / static_cast<double>(tokens)) : nlohmann::json();
    const auto& id = j.value("id", nlohmann::json());
    rows.push_back({{"id", id.is_string() ? nlohmann::json(std::stoll(id.get<std::string>())) : id},
                    {"answer_nll", nll},
                    {"answer_tokens", tokens}});
  }
  write_jsonl(out_jsonl, rows);
}

}  // namespace sftx::rt
