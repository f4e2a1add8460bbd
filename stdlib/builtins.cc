#include "stdlib/builtins.h"

#include <algorithm>

namespace sftx {

namespace {

using J = nlohmann::json;

BuiltinParam data_param(std::string name = "data") {
  BuiltinParam p;
  p.name = std::move(name);
  p.types = Type::data;
  p.required = true;
  p.doc = "the data to operate on";
  return p;
}
BuiltinParam required(std::string name, TypeSet types, std::string doc) {
  BuiltinParam p;
  p.name = std::move(name);
  p.types = types;
  p.required = true;
  p.doc = std::move(doc);
  return p;
}
BuiltinParam keyword(std::string name, TypeSet types, J default_value, std::string doc) {
  BuiltinParam p;
  p.name = std::move(name);
  p.types = types;
  p.default_value = std::move(default_value);
  p.positional = false;
  p.doc = std::move(doc);
  return p;
}
BuiltinParam with_choices(BuiltinParam p, std::vector<std::string> choices) {
  p.choices = std::move(choices);
  return p;
}
BuiltinParam list_of(BuiltinParam p, Type element) {
  p.element = element;
  return p;
}
BuiltinParam regex(BuiltinParam p) {
  p.regex = true;
  return p;
}
BuiltinParam variadic(BuiltinParam p) {
  p.variadic = true;
  return p;
}
BuiltinParam positional(BuiltinParam p) {
  p.positional = true;
  return p;
}

BuiltinParam seed_param() {
  return keyword("seed", Type::number, J(), "seed; default: the data_seed in effect where the call is written");
}

BuiltinFunction fn(std::string name, Type result, std::vector<BuiltinParam> params, std::string summary,
                   bool transform = false) {
  BuiltinFunction f;
  f.name = std::move(name);
  f.result = result;
  f.params = std::move(params);
  f.summary = std::move(summary);
  f.transform = transform;
  return f;
}

std::vector<BuiltinFunction> make_table() {
  std::vector<BuiltinFunction> t;
  auto source_params = [] {
    return std::vector<BuiltinParam>{
        required("path", Type::string, "file path, relative to the .sftx file's directory"),
        with_choices(
            [] {
              auto p = keyword("format", Type::string, J(), "record layout of the file");
              p.required = true;
              return p;
            }(),
            known_formats()),
        with_choices(keyword("on_error", Type::string, "stop", "malformed lines: stop, or skip and count"),
                     {"stop", "skip"}),
    };
  };
  t.push_back(fn("jsonl", Type::data, source_params(), "records from a JSON-lines file"));
  t.push_back(fn("json", Type::data, source_params(), "records from a file holding one JSON array"));
  t.push_back(fn("synthetic", Type::data,
                 {with_choices(required("kind", Type::string, "which built-in generator"), known_synthetic_kinds()),
                  keyword("n", Type::number, 1000, "number of records (a profile's [synthetic] sizes replace it)"),
                  seed_param(),
                  with_choices(keyword("level", Type::string, "paper",
                                       "difficulty: paper, or micro for CPU-sized models (a profile's synthetic_level "
                                       "replaces it)"),
                               known_synthetic_levels())},
                 "records from a built-in generator (no downloads)"));

  t.push_back(fn("filter", Type::data,
                 {data_param(),
                  keyword("min_chars", Type::number, J(), "drop records shorter than this (characters)"),
                  keyword("max_chars", Type::number, J(), "drop records longer than this (characters)"),
                  keyword("min_turns", Type::number, J(), "drop conversations with fewer turns"),
                  keyword("max_turns", Type::number, J(), "drop conversations with more turns"),
                  regex(keyword("exclude_regex", Type::string, J(), "drop records matching this Perl-compatible regex")),
                  regex(keyword("require_regex", Type::string, J(), "keep only records matching this regex")),
                  list_of(keyword("exclude_keywords", Type::list, J(), "drop records containing any of these"),
                          Type::string),
                  list_of(keyword("require_keywords", Type::list, J(), "keep records containing one of these"),
                          Type::string),
                  list_of(keyword("exclude_tags", Type::list, J(), "drop records tagged (tag()) with any of these"),
                          Type::string),
                  list_of(keyword("require_tags", Type::list, J(), "keep records tagged with one of these"),
                          Type::string),
                  keyword("drop_empty_assistant", Type::boolean, true, "drop records with an empty assistant turn (a format failure)")},
                 "keep the records that pass every given test", true));
  t.push_back(fn("dedup", Type::data,
                 {data_param(),
                  with_choices(required("method", Type::string, "exact (normalised text) or minhash (near duplicates)"),
                               {"exact", "minhash"}),
                  keyword("threshold", Type::number, J(), "minhash: Jaccard similarity treated as duplicate (0.85)"),
                  keyword("num_perm", Type::number, J(), "minhash: permutations (128)"),
                  keyword("ngram", Type::number, J(), "minhash: shingle length in words (5)")},
                 "remove duplicate records, keeping one per cluster", true));
  t.push_back(fn("decontaminate", Type::data,
                 {data_param(), variadic(required("benchmarks", Type::data, "evaluation sets to protect")),
                  keyword("ngram", Type::number, 13, "shared n-gram length that counts as contamination")},
                 "remove training records that overlap any evaluation record", true));
  t.push_back(fn("tag", Type::data, {data_param()}, "tag records by topic (code, math, ...) for filter(*_tags)",
                 true));
  t.push_back(fn("split", Type::data,
                 {data_param(), required("fraction", Type::number, "fraction of records in the validation part"),
                  with_choices(keyword("part", Type::string, "train", "which part to keep"), {"train", "validation"}),
                  seed_param()},
                 "a seeded train/validation split; keeps one part", true));
  t.push_back(fn("take", Type::data, {data_param(), required("n", Type::number, "number of records")},
                 "the first n records", true));
  t.push_back(fn("sample", Type::data,
                 {data_param(), required("n", Type::number, "number of records"), seed_param()},
                 "n records drawn at random without replacement", true));
  t.push_back(fn("mix", Type::data, {variadic(required("data", Type::data, "data to mix")), seed_param()},
                 "all records of all arguments, shuffled"));

  t.push_back(fn("model", Type::model,
                 {with_choices(required("family", Type::string, "architecture family"), known_model_families()),
                  with_choices(keyword("preset", Type::string, "mini", "size preset (stdlib/presets)"),
                               preset_names()),
                  keyword("tokenizer", Type::tokenizer, J(),
                          "default: sentencepiece(synthetic(\"pretrain\", n = 20000, seed = 0), vocab = <preset vocab>)")},
                 "a freshly initialised model of a preset size"));
  t.push_back(fn("hf", Type::model, {required("path", Type::string, "Hugging Face checkpoint directory or [models] name")},
                 "a Hugging Face checkpoint (config.json, safetensors, tokenizer.model)"));
  t.push_back(fn("sentencepiece", Type::tokenizer,
                 {required("data", Type::data | Type::string, "training data, or the path of an existing .model"),
                  keyword("vocab", Type::number, 2000, "vocabulary size when training"),
                  with_choices(keyword("model_type", Type::string, "bpe", "SentencePiece model type"),
                               {"bpe", "unigram"}),
                  seed_param()},
                 "a SentencePiece tokenizer, trained on data or loaded from a file"));
  t.push_back(fn("lora", Type::method,
                 {keyword("r", Type::number, 8, "rank"), keyword("alpha", Type::number, 16, "scaling numerator"),
                  keyword("dropout", Type::number, 0, "dropout on the LoRA input"),
                  list_of(keyword("targets", Type::list, J::array({"q_proj", "v_proj"}), "projections to adapt"),
                          Type::string)},
                 "train low-rank adapters instead of all weights (with { method = lora(r = 8) })"));
  t.push_back(fn("freeze", Type::method,
                 {positional(keyword("layers", Type::number, J(), "train only the top N decoder layers"))},
                 "train only the top layers (with { method = freeze(layers = 2) })"));
  t.back().params[0].required = true;

  auto max_new = [](int n) { return keyword("max_new_tokens", Type::number, n, "generation length limit"); };
  auto answer_nll = [] {
    return keyword("answer_nll", Type::boolean, true,
                   "also score answer_nll: mean negative log-likelihood per token of the records' assistant answers");
  };
  t.push_back(fn("gsm8k", Type::metric, {data_param(), max_new(256), answer_nll()},
                 "maths: exact-match accuracy of the final number"));
  t.push_back(fn("humaneval", Type::metric,
                 {data_param(), list_of(keyword("k", Type::list, J::array({1}), "pass@k for each k"), Type::number),
                  keyword("samples", Type::number, J(), "completions per problem (default: the largest k)"),
                  keyword("temperature", Type::number, J(), "sampling temperature (default: 0 for one sample, else 0.8)"),
                  max_new(384), answer_nll()},
                 "code: unbiased pass@k, completions run with their tests in a sandbox"));
  t.push_back(fn("ifeval", Type::metric, {data_param(), max_new(512), answer_nll()},
                 "instruction following: strict and loose accuracy"));
  t.push_back(fn("perplexity", Type::metric, {data_param()}, "perplexity of the assistant tokens"));
  t.push_back(fn("mtbench", Type::metric,
                 {data_param(), keyword("judge", Type::string, "", "judge command name (default: [judge] in sftx.toml)"),
                  max_new(512), answer_nll()},
                 "general ability scored by an external judge command"));
  t.push_back(fn("tsne", Type::metric,
                 {variadic(required("sources", Type::data, "one point colour per source")),
                  keyword("layer", Type::number, 15, "decoder layer whose mean hidden state is embedded"),
                  keyword("n", Type::number, 100, "queries drawn from each source"), seed_param()},
                 "2-D t-SNE of hidden states, coloured by source (the paper's D1)"));
  return t;
}

}  // namespace

const BuiltinParam* BuiltinFunction::param(std::string_view n) const {
  for (const auto& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

std::vector<std::string> BuiltinFunction::param_names() const {
  std::vector<std::string> out;
  for (const auto& p : params) out.push_back(p.name);
  return out;
}

std::string BuiltinFunction::synopsis() const {
  std::string out = name + "(";
  bool first = true;
  for (const auto& p : params) {
    if (!first) out += ", ";
    first = false;
    out += p.name;
    if (p.variadic) out += "...";
    if (!p.required) out += " = " + (p.default_value.is_null() ? std::string("…") : p.default_value.dump());
  }
  return out + ")";
}

const std::vector<BuiltinFunction>& builtin_functions() {
  static const std::vector<BuiltinFunction> table = make_table();
  return table;
}

const BuiltinFunction* find_builtin(std::string_view name) {
  for (const auto& f : builtin_functions())
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> out;
  for (const auto& f : builtin_functions()) out.push_back(f.name);
  return out;
}

const std::vector<std::string>& known_formats() {
  static const std::vector<std::string> v = {"alpaca", "sharegpt", "messages", "gsm8k", "humaneval", "text"};
  return v;
}
const std::vector<std::string>& known_chat_templates() {
  static const std::vector<std::string> v = {"vicuna", "llama2", "chatml", "alpaca"};
  return v;
}
const std::vector<std::string>& known_synthetic_kinds() {
  static const std::vector<std::string> v = {"math",       "code",           "general",    "pretrain",
                                             "gsm8k_test", "humaneval_test", "ifeval_test"};
  return v;
}
const std::vector<std::string>& known_synthetic_levels() {
  static const std::vector<std::string> v = {"paper", "micro"};
  return v;
}
bool synthetic_kind_has_level(std::string_view kind, std::string_view level) {
  const auto& kinds = known_synthetic_kinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return false;
  if (level == "paper") return true;
  if (level == "micro") return kind != "pretrain";  // pretraining text has one level
  return false;
}
const std::vector<std::string>& known_model_families() {
  static const std::vector<std::string> v = {"llama"};
  return v;
}
const std::vector<std::string>& known_metrics() {
  static const std::vector<std::string> v = {"gsm8k", "humaneval", "ifeval", "perplexity", "mtbench", "tsne"};
  return v;
}

const std::vector<ModelPreset>& known_presets() {
  static const std::vector<ModelPreset> v = {{"nano", 2000}, {"mini", 8000}, {"small", 32000}};
  return v;
}
const ModelPreset* find_preset(std::string_view name) {
  for (const auto& p : known_presets())
    if (p.name == name) return &p;
  return nullptr;
}
std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& p : known_presets()) out.push_back(p.name);
  return out;
}

}  // namespace sftx
