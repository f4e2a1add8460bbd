#include "stdlib/builtins.h"

#include <algorithm>

#include "runtime/data/minhash.h"
#include "runtime/data/record_formats.h"
#include "runtime/data/transforms.h"
#include "stdlib/synthetic/kinds.h"

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

BuiltinParam bounded(BuiltinParam p, Bounds b) {
  p.bounds = b;
  return p;
}
BuiltinParam keep_out_of_key_when_default(BuiltinParam p) {
  p.omit_default = true;
  return p;
}

BuiltinParam seed_param() {
  auto p = bounded(keyword("seed", Type::number, J(), "seed; default: the data_seed in effect where the call is written"),
                   Bounds::count);
  p.data_seed = true;
  return p;
}

BuiltinFunction fn(std::string name, Type result, std::vector<BuiltinParam> params, std::string summary,
                   Lowering lowering, std::string handler = "") {
  BuiltinFunction f;
  f.name = std::move(name);
  f.result = result;
  f.params = std::move(params);
  f.summary = std::move(summary);
  f.lowering = lowering;
  f.transform = lowering == Lowering::transform;
  f.handler = handler.empty() ? f.name : std::move(handler);
  return f;
}

// ---- metrics ----

// The generation settings every generative metric takes (rt::GenerateRequest's fields). All
// but max_new_tokens stay out of the node while they have their default, so the keys of
// evaluations made before they were options still hold.
std::vector<BuiltinParam> generation_params(long long max_new_tokens) {
  return {
      bounded(keyword("max_new_tokens", Type::number, max_new_tokens, "generation length limit (tokens)"),
              Bounds::positive),
      keep_out_of_key_when_default(
          bounded(keyword("temperature", Type::number, 0, "sampling temperature (0: greedy)"), Bounds::nonnegative)),
      keep_out_of_key_when_default(
          bounded(keyword("top_p", Type::number, 1, "nucleus sampling: the smallest set of tokens with this much probability"),
                  Bounds::unit)),
      keep_out_of_key_when_default(
          bounded(keyword("seed", Type::number, 0, "seed of the sampling (with temperature > 0)"), Bounds::count)),
      keep_out_of_key_when_default(
          bounded(keyword("batch", Type::number, 16, "prompts generated at once"), Bounds::positive)),
      keep_out_of_key_when_default(list_of(
          keyword("stop", Type::list, J::array(), "extra stop strings (the template's end-of-turn markers always stop)"),
          Type::string)),
      bounded(keyword("limit", Type::number, J(), "evaluate only the first N records (default: all)"),
              Bounds::positive),
      keyword("answer_nll", Type::boolean, true,
              "also score answer_nll: mean negative log-likelihood per token of the records' assistant answers"),
  };
}

std::vector<BuiltinParam> with_generation(std::vector<BuiltinParam> own, long long max_new_tokens) {
  for (auto& p : generation_params(max_new_tokens)) {
    bool replaced = false;
    for (auto& o : own)
      if (o.name == p.name) replaced = true;
    if (!replaced) own.push_back(std::move(p));
  }
  return own;
}

// Code metrics (humaneval, mbpp): unbiased pass@k over `samples` completions per problem.
std::vector<BuiltinParam> pass_at_k_params() {
  return {
      bounded(list_of(keyword("k", Type::list, J::array({1}), "pass@k for each k"), Type::number), Bounds::positive),
      bounded(keyword("samples", Type::number, J(), "completions per problem (default: the largest k)"),
              Bounds::positive),
      bounded(keyword("temperature", Type::number, J(), "sampling temperature (default: 0 for one sample, else 0.8)"),
              Bounds::nonnegative),
      keep_out_of_key_when_default(
          bounded(keyword("timeout", Type::number, 10, "wall-clock seconds each completion may run in the sandbox"),
                  Bounds::positive_real)),
  };
}

// samples defaults to the largest k and must reach it; temperature defaults to greedy for one
// sample and 0.8 for several (identical samples would make pass@k for k > 1 meaningless).
std::vector<ParamIssue> refine_pass_at_k(nlohmann::json& params, const std::vector<std::string>&) {
  std::vector<ParamIssue> issues;
  long long max_k = 1;
  for (const auto& k : params["k"]) max_k = std::max<long long>(max_k, k.get<long long>());
  if (!params.contains("samples")) params["samples"] = max_k;
  long long samples = params["samples"].get<long long>();
  if (samples < max_k)
    issues.push_back({"samples", "needs at least " + std::to_string(max_k) + " samples per problem for pass@" +
                                     std::to_string(max_k) + ", but samples = " + std::to_string(samples)});
  if (!params.contains("temperature")) params["temperature"] = samples == 1 ? 0.0 : 0.8;
  else params["temperature"] = params["temperature"].get<double>();
  if (samples > 1 && params["temperature"].get<double>() == 0.0)
    issues.push_back({"", "with several samples and temperature 0 draws the same completion each time", true});
  return issues;
}

std::vector<BuiltinFunction> make_table() {
  std::vector<BuiltinFunction> t;
  auto source_params = [] {
    return std::vector<BuiltinParam>{
        required("path", Type::string, "file path, relative to the .sftx file's directory"),
        with_choices(
            [] {
              auto p = keyword("format", Type::string, J(), "record layout of the file (see the formats table)");
              p.required = true;
              return p;
            }(),
            known_formats()),
        with_choices(keyword("on_error", Type::string, "stop", "malformed lines: stop, or skip and count"),
                     {"stop", "skip"}),
    };
  };
  t.push_back(fn("jsonl", Type::data, source_params(), "records from a JSON-lines file", Lowering::source,
                 "rt::read_source"));
  t.push_back(fn("json", Type::data, source_params(), "records from a file holding one JSON array", Lowering::source,
                 "rt::read_source"));
  t.push_back(fn("synthetic", Type::data,
                 {with_choices(required("kind", Type::string, "which built-in generator"), known_synthetic_kinds()),
                  bounded(keyword("n", Type::number, 1000, "number of records (a profile's [synthetic] sizes replace it)"),
                          Bounds::synthetic_count),
                  seed_param(),
                  with_choices(keyword("level", Type::string, "paper",
                                       "difficulty: paper, or micro / micro2 for CPU-sized models (a profile's "
                                       "synthetic_level replaces it)"),
                               known_synthetic_levels())},
                 "records from a built-in generator (no downloads)", Lowering::synthetic, "rt::generate_synthetic"));

  t.push_back(fn("filter", Type::data,
                 {data_param(),
                  bounded(keyword("min_chars", Type::number, J(), "drop records shorter than this (characters)"), Bounds::count),
                  bounded(keyword("max_chars", Type::number, J(), "drop records longer than this (characters)"), Bounds::count),
                  bounded(keyword("min_turns", Type::number, J(), "drop conversations with fewer turns"), Bounds::count),
                  bounded(keyword("max_turns", Type::number, J(), "drop conversations with more turns"), Bounds::count),
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
                 "keep the records that pass every given test", Lowering::transform));
  {
    const rt::MinHashParams minhash;  // the runtime's defaults (runtime/data/minhash.h)
    auto only_for = [](BuiltinParam p, std::vector<std::pair<std::string, J>> defaults) {
      p.only_for = std::move(defaults);
      return p;
    };
    auto dedup = fn(
        "dedup", Type::data,
        {data_param(),
         with_choices(required("method", Type::string,
                               "exact (normalised text), minhash (near duplicates) or semantic (the same meaning, by a "
                               "model's hidden states: runtime/eval/semantic_dedup.cc)"),
                      {"exact", "minhash", "semantic"}),
         only_for(bounded(keyword("threshold", Type::number, J(),
                                  "similarity treated as duplicate: Jaccard (minhash), cosine of hidden states (semantic)"),
                          Bounds::unit),
                  {{"minhash", minhash.threshold}, {"semantic", 0.95}}),
         only_for(bounded(keyword("num_perm", Type::number, J(), "minhash: permutations"), Bounds::positive),
                  {{"minhash", minhash.num_perm}}),
         only_for(bounded(keyword("ngram", Type::number, J(), "minhash: shingle length in words"), Bounds::positive),
                  {{"minhash", minhash.ngram}}),
         only_for(keyword("model", Type::model, J(), "semantic: the checkpoint whose hidden states compare records, hf(...)"),
                  {{"semantic", J()}}),
         only_for(bounded(keyword("layer", Type::number, J(),
                                  "semantic: the layer whose mean hidden state is compared (-1: the last)"),
                          Bounds::integer),
                  {{"semantic", -1}})},
        "remove duplicate records, keeping the first of each group", Lowering::transform);
    dedup.selector = "method";
    t.push_back(std::move(dedup));
  }
  t.push_back(fn("decontaminate", Type::data,
                 {data_param(), variadic(required("benchmarks", Type::data, "evaluation sets to protect")),
                  bounded(keyword("ngram", Type::number, rt::kDecontaminateNgram,
                                  "shared n-gram length that counts as contamination"),
                          Bounds::positive)},
                 "remove training records that overlap any evaluation record", Lowering::transform));
  t.push_back(fn("tag", Type::data, {data_param()}, "tag records by topic (code, math, ...) for filter(*_tags)",
                 Lowering::transform));
  t.push_back(fn("split", Type::data,
                 {data_param(),
                  bounded(required("fraction", Type::number, "fraction of records in the validation part"), Bounds::open_unit),
                  with_choices(keyword("part", Type::string, "train", "which part to keep"), {"train", "validation"}),
                  seed_param()},
                 "a seeded train/validation split; keeps one part", Lowering::transform));
  t.push_back(fn("take", Type::data, {data_param(), bounded(required("n", Type::number, "number of records"), Bounds::count)},
                 "the first n records", Lowering::transform));
  t.push_back(fn("sample", Type::data,
                 {data_param(), bounded(required("n", Type::number, "number of records"), Bounds::count), seed_param()},
                 "n records drawn at random without replacement", Lowering::transform));
  t.push_back(fn("mix", Type::data, {variadic(required("data", Type::data, "data to mix")), seed_param()},
                 "all records of all arguments, shuffled", Lowering::mix, "rt::mix_data"));

  t.push_back(fn("model", Type::model,
                 {with_choices(required("family", Type::string, "architecture family"), known_model_families()),
                  with_choices(keyword("preset", Type::string, "mini", "size preset (stdlib/presets)"),
                               preset_names()),
                  keyword("tokenizer", Type::tokenizer, J(),
                          "default: sentencepiece(synthetic(\"pretrain\", n = 20000, seed = 0), vocab = <preset vocab>)")},
                 "a freshly initialised model of a preset size", Lowering::model, "rt::train (the first stage)"));
  t.push_back(fn("hf", Type::model, {required("path", Type::string, "Hugging Face checkpoint directory or [models] name")},
                 "a Hugging Face checkpoint (config.json, safetensors, tokenizer.json or tokenizer.model)",
                 Lowering::hf_model, "rt::train (the first stage)"));
  t.push_back(fn("sentencepiece", Type::tokenizer,
                 {required("data", Type::data | Type::string, "training data, or the path of an existing .model"),
                  bounded(keyword("vocab", Type::number, 2000, "vocabulary size when training"), Bounds::positive),
                  with_choices(keyword("model_type", Type::string, "bpe", "SentencePiece model type"),
                               {"bpe", "unigram"}),
                  seed_param()},
                 "a SentencePiece tokenizer, trained on data or loaded from a file", Lowering::tokenizer,
                 "rt::build_tokenizer"));
  t.push_back(fn("lora", Type::method,
                 {bounded(keyword("r", Type::number, 8, "rank"), Bounds::positive),
                  bounded(keyword("alpha", Type::number, 16, "scaling numerator"), Bounds::positive_real),
                  bounded(keyword("dropout", Type::number, 0, "dropout on the LoRA input"), Bounds::unit),
                  list_of(keyword("targets", Type::list, J::array({"q_proj", "v_proj"}), "projections to adapt"),
                          Type::string)},
                 "train low-rank adapters instead of all weights (with { method = lora(r = 8) })", Lowering::method,
                 "rt::train (Method)"));
  t.push_back(fn("freeze", Type::method,
                 {bounded(positional(keyword("layers", Type::number, J(), "train only the top N decoder layers")),
                          Bounds::positive)},
                 "train only the top layers (with { method = freeze(layers = 2) })", Lowering::method,
                 "rt::train (Method)"));
  t.back().params[0].required = true;

  // A metric with the score fields it writes (result.json "scores"); one with answer_nll
  // also writes that field.
  auto metric = [](std::string name, std::vector<BuiltinParam> params, std::string summary,
                   std::vector<MetricField> fields) {
    auto f = fn(std::move(name), Type::metric, std::move(params), std::move(summary), Lowering::metric);
    if (f.param("answer_nll"))
      fields.push_back({"", "answer_nll", FieldKind::value,
                        "mean NLL per token of the reference answers (assistant tokens; lower is better)"});
    for (auto& field : fields) field.metric = f.name;
    f.fields = std::move(fields);
    return f;
  };
  const MetricField pass_at_k_field = {"", "pass@", FieldKind::rate, "unbiased pass@k, one field per k of k = [...]",
                                       true};
  t.push_back(metric("gsm8k", with_generation({data_param()}, 256), "maths: exact-match accuracy of the final number",
                     {{"", "accuracy", FieldKind::rate, "exact match of the final number"}}));
  {
    std::vector<BuiltinParam> own = {data_param()};
    for (auto& p : pass_at_k_params()) own.push_back(std::move(p));
    auto humaneval = metric("humaneval", with_generation(std::move(own), 384),
                            "code: unbiased pass@k, completions run with their tests in a sandbox", {pass_at_k_field});
    humaneval.refine = refine_pass_at_k;
    t.push_back(std::move(humaneval));
  }
  {
    std::vector<BuiltinParam> own = {data_param()};
    for (auto& p : pass_at_k_params()) own.push_back(std::move(p));
    auto mbpp = metric("mbpp", with_generation(std::move(own), 384),
                       "code (MBPP, format \"mbpp\"): unbiased pass@k, each completion run with the task's asserts in a "
                       "sandbox",
                       {pass_at_k_field});
    mbpp.refine = refine_pass_at_k;
    t.push_back(std::move(mbpp));
  }
  {
    auto ifeval = metric("ifeval", with_generation({data_param()}, 512), "instruction following: strict and loose accuracy",
                         {{"", "prompt_strict", FieldKind::rate, "prompts whose every instruction is followed (strict)"},
                          {"", "prompt_loose", FieldKind::rate, "prompts whose every instruction is followed (loose)"},
                          {"", "instruction_strict", FieldKind::rate, "instructions followed (strict)"},
                          {"", "instruction_loose", FieldKind::rate, "instructions followed (loose)"}});
    ifeval.scorer_version = 3;  // rt::kIfevalScorerVersion (runtime/eval/ifeval.h says what changed)
    t.push_back(std::move(ifeval));
  }
  t.push_back(metric("perplexity",
                     {data_param(), bounded(keyword("limit", Type::number, J(), "evaluate only the first N records (default: all)"),
                                            Bounds::positive)},
                     "perplexity of the assistant tokens",
                     {{"", "perplexity", FieldKind::value, "exp of the mean NLL per assistant token"},
                      {"", "nll_per_token", FieldKind::value, "mean negative log-likelihood per assistant token"},
                      {"", "tokens", FieldKind::count, "assistant tokens scored"}}));
  t.push_back(metric("mtbench",
                     with_generation({data_param(), keyword("judge", Type::string, "",
                                                            "judge command name (default: [judge] in sftx.toml)")},
                                     512),
                     "general ability scored by an external judge command",
                     {{"", "score", FieldKind::value, "mean judge score"}}));
  t.push_back(metric("tsne",
                     {variadic(required("sources", Type::data, "one point colour per source")),
                      bounded(keyword("layer", Type::number, 15, "decoder layer whose mean hidden state is embedded"),
                              Bounds::count),
                      bounded(keyword("n", Type::number, 100, "queries drawn from each source"), Bounds::positive),
                      seed_param()},
                     "2-D t-SNE of hidden states, coloured by source (the paper's D1)",
                     {{"", "points", FieldKind::count, "points embedded"},
                      {"", "neighbour_same_source", FieldKind::rate, "points whose nearest neighbour has their source"}}));
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
    if (p.required) continue;
    if (!p.only_for.empty() && !p.only_for.front().second.is_null()) out += " = " + p.only_for.front().second.dump();
    else out += " = " + (p.default_value.is_null() ? std::string("…") : p.default_value.dump());
  }
  return out + ")";
}

std::string BuiltinFunction::handler_text() const {
  switch (lowering) {
    case Lowering::metric: return "rt::evaluate, metric handler \"" + handler + "\" (runtime/eval/metric_handlers.h)";
    case Lowering::transform: return "rt::apply_transform(\"" + handler + "\") (runtime/data)";
    default: return handler;
  }
}

std::string bounds_text(Bounds b) {
  switch (b) {
    case Bounds::none: return "";
    case Bounds::integer: return "a whole number";
    case Bounds::count: return "a whole number, at least 0";
    case Bounds::positive: return "a whole number, at least 1";
    case Bounds::unit: return "between 0 and 1";
    case Bounds::open_unit: return "strictly between 0 and 1";
    case Bounds::nonnegative: return "at least 0";
    case Bounds::positive_real: return "greater than 0";
    case Bounds::synthetic_count:
      return "a whole number from 0 to " + std::to_string(kMaxSyntheticRecords) +
             " (a larger set belongs in a file: jsonl(...))";
  }
  return "";
}

std::string lowering_text(Lowering l) {
  switch (l) {
    case Lowering::source: return "data node `source` (path, container, format, on_error; keyed by the file's content)";
    case Lowering::synthetic: return "data node `synthetic` (kind, n, seed, level)";
    case Lowering::mix: return "data node `mix` (seed; its inputs in argument order, nested mixes flattened)";
    case Lowering::transform: return "data node named after the function (keyword arguments, seed; inputs: the data, then further data)";
    case Lowering::model: return "no node of its own: the base of a plan's first train node; its default tokenizer is a `tokenizer` node";
    case Lowering::hf_model: return "no node of its own: the checkpoint a plan's first train node starts from; its tokenizer file is a `tokenizer` node";
    case Lowering::tokenizer: return "data node `tokenizer` (vocab_size, model_type, seed; or model_file)";
    case Lowering::method: return "no node: the `method` of a train node";
    case Lowering::metric: return "eval node named after the metric, per plan instance (keyword arguments; inputs: train, data, tokenizer)";
  }
  return "";
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
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (const auto& f : rt::record_formats()) out.push_back(f.name);
    return out;
  }();
  return v;
}
const std::vector<std::string>& known_chat_templates() {
  static const std::vector<std::string> v = {"vicuna", "llama2", "chatml", "alpaca", "model"};
  return v;
}
const std::vector<std::string>& known_synthetic_kinds() { return rt::synth::synthetic_kinds(); }
const std::vector<std::string>& known_synthetic_levels() { return rt::synth::synthetic_levels(); }
bool synthetic_kind_has_level(std::string_view kind, std::string_view level) {
  return rt::synth::synthetic_kind_has_level(std::string(kind), std::string(level));
}
const std::vector<std::string>& known_model_families() {
  static const std::vector<std::string> v = {"llama"};
  return v;
}
std::vector<std::string> known_metrics() {
  std::vector<std::string> out;
  for (const auto& f : builtin_functions())
    if (f.result == Type::metric) out.push_back(f.name);
  return out;
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
