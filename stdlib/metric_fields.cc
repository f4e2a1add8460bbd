#include "stdlib/metric_fields.h"

namespace sftx {

const std::vector<MetricField>& metric_fields() {
  static const std::vector<MetricField> table = {
      {"gsm8k", "accuracy", FieldKind::rate, "exact match of the final number"},
      {"gsm8k", "answer_nll", FieldKind::value, "mean NLL per token of the reference answers (assistant tokens; lower is better)"},
      {"humaneval", "pass@", FieldKind::rate, "unbiased pass@k, one field per k of humaneval(k = [...])", true},
      {"humaneval", "answer_nll", FieldKind::value, "mean NLL per token of the reference answers (assistant tokens; lower is better)"},
      {"ifeval", "prompt_strict", FieldKind::rate, "prompts whose every instruction is followed (strict)"},
      {"ifeval", "prompt_loose", FieldKind::rate, "prompts whose every instruction is followed (loose)"},
      {"ifeval", "instruction_strict", FieldKind::rate, "instructions followed (strict)"},
      {"ifeval", "instruction_loose", FieldKind::rate, "instructions followed (loose)"},
      {"ifeval", "answer_nll", FieldKind::value, "mean NLL per token of the reference answers (assistant tokens; lower is better)"},
      {"perplexity", "perplexity", FieldKind::value, "exp of the mean NLL per assistant token"},
      {"perplexity", "nll_per_token", FieldKind::value, "mean negative log-likelihood per assistant token"},
      {"perplexity", "tokens", FieldKind::count, "assistant tokens scored"},
      {"mtbench", "score", FieldKind::value, "mean judge score"},
      {"mtbench", "answer_nll", FieldKind::value, "mean NLL per token of the reference answers (assistant tokens; lower is better)"},
      {"tsne", "points", FieldKind::count, "points embedded"},
      {"tsne", "neighbour_same_source", FieldKind::rate, "points whose nearest neighbour has their source"},
  };
  return table;
}

const MetricField* find_metric_field(std::string_view metric, std::string_view field) {
  for (const auto& f : metric_fields()) {
    if (f.metric != metric) continue;
    if (!f.per_k && f.field == field) return &f;
    if (f.per_k && field.size() > f.field.size() && field.substr(0, f.field.size()) == f.field) {
      std::string_view k = field.substr(f.field.size());
      bool digits = !k.empty();
      for (char c : k) digits &= c >= '0' && c <= '9';
      if (digits) return &f;
    }
  }
  return nullptr;
}

std::vector<std::string> metric_field_names(std::string_view metric) {
  std::vector<std::string> out;
  for (const auto& f : metric_fields())
    if (f.metric == metric) out.push_back(f.per_k ? f.field + "k" : f.field);
  return out;
}

const char* field_kind_name(FieldKind k) {
  switch (k) {
    case FieldKind::rate: return "rate";
    case FieldKind::value: return "value";
    case FieldKind::count: return "count";
  }
  return "value";
}

}  // namespace sftx
