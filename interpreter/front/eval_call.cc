// Calls of built-in functions: binding arguments to parameters (arity, keywords, types,
// vocabularies), then building the value each built-in returns.
#include <algorithm>
#include <cctype>

#include "interpreter/front/data_expr.h"
#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/evaluator_impl.h"
#include "interpreter/front/input_files.h"
#include "runtime/regex/regex.h"

namespace sftx {

namespace fs = std::filesystem;

namespace {

// "" when the number is within the bounds, else what it must be (bounds_text).
std::string violates(Bounds bounds, const Rational& x) {
  bool ok = true;
  switch (bounds) {
    case Bounds::none: break;
    case Bounds::integer: ok = x.is_integer() && x.to_int64(); break;
    case Bounds::count: ok = x.is_integer() && x.sign() >= 0 && x.to_int64(); break;
    case Bounds::positive: ok = x.is_integer() && x.sign() > 0 && x.to_int64(); break;
    case Bounds::unit: ok = x.sign() >= 0 && !(x > Rational(1)); break;
    case Bounds::open_unit: ok = x.sign() > 0 && x < Rational(1); break;
    case Bounds::nonnegative: ok = x.sign() >= 0; break;
    case Bounds::positive_real: ok = x.sign() > 0; break;
    case Bounds::synthetic_count:
      ok = x.is_integer() && x.sign() >= 0 && x.to_int64() && *x.to_int64() <= kMaxSyntheticRecords;
      break;
  }
  return ok ? "" : bounds_text(bounds);
}

std::string vocabulary_name(const std::string& param) {
  if (param == "format") return "format";
  if (param == "kind") return "synthetic kind";
  if (param == "level") return "synthetic level";
  if (param == "preset") return "model preset";
  if (param == "family") return "model family";
  if (param == "method") return "dedup method";
  return param;
}

// Source text with runs of whitespace collapsed to one space (labels are one line).
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

long long as_int(const Value& v) { return v.number.to_int64().value_or(0); }

// An argument as a node parameter. A Model is its checkpoint's files (hf(...): the directory
// and the tokenizer file), which the runtime handler reads; the checker only lets an hf(...)
// model through (see check_arg).
nlohmann::json lowered_json(const Value& v) {
  if (v.type == Type::model && v.model)
    return {{"hf_dir", v.model->hf_dir}, {"tokenizer", v.model->tokenizer ? v.model->tokenizer->model_file : ""}};
  return plain_json(v);
}

}  // namespace

long long Evaluator::Impl::synthetic_size(const std::string& kind, long long written) const {
  if (!profile) return written;
  auto it = profile->synthetic_sizes.find(kind);
  if (it != profile->synthetic_sizes.end()) return it->second;
  it = profile->synthetic_sizes.find("*");
  if (it != profile->synthetic_sizes.end()) return it->second;
  return written;
}

bool Evaluator::Impl::synthetic_level(const std::string& kind, const Arg* written, const Module& m,
                                      std::string& level) {
  level = written ? written->value.string : "paper";
  // A profile's synthetic_level switches every kind that has that level; pretraining text
  // (the tokenizer's corpus) has only one and stays as it is.
  if (profile && profile->synthetic_level && synthetic_kind_has_level(kind, *profile->synthetic_level)) {
    level = *profile->synthetic_level;
    return true;
  }
  if (synthetic_kind_has_level(kind, level)) return true;
  std::vector<std::string> has;
  for (const auto& l : known_synthetic_levels())
    if (synthetic_kind_has_level(kind, l)) has.push_back(l);
  error(m, written ? written->range : SourceRange{}, "synthetic kind '" + kind + "' has no level '" + level + "'")
      .note("levels of '" + kind + "': " + join_names(has));
  return false;
}

long long Evaluator::Impl::data_seed(const BoundArgs& args, const Env& env) {
  if (const Arg* s = args.get("seed"); s && s->value.type == Type::number) return as_int(s->value);
  const HyperMap& h = env.hyper ? *env.hyper : module_hyper(*env.module);
  auto it = h.find("data_seed");
  return it != h.end() && it->second.value.is_number_integer() ? it->second.value.get<long long>() : 0;
}

bool Evaluator::Impl::check_arg(const BuiltinFunction& f, const BuiltinParam& p, const Arg& a, const Env& env) {
  const Module& m = *env.module;
  const Value& v = a.value;
  if (v.is_unknown()) return true;
  if (!p.types.contains(v.type)) {
    if (p.types.contains(Type::data) && v.type == Type::model) {
      require_data(v, m, a.range);
      return false;
    }
    std::string expected = p.types.str();
    error(m, a.range,
          "argument '" + p.name + "' of " + f.name + " must be " + expected + ", not " +
              (v.type == Type::plan_def ? std::string("Plan") : std::string(type_name(v.type))));
    return false;
  }
  if (v.type == Type::model && p.types.contains(Type::model) && v.model && v.model->hf_dir.empty()) {
    // A node parameter names files that exist before the run: a trained stage or a fresh
    // model(...) has none yet.
    error(m, a.range, "'" + p.name + "' of " + f.name + " must be a checkpoint on disk, hf(\"DIR\"), not " +
                          v.model->label)
        .help(p.name + " = hf(\"path/to/checkpoint\")");
    return false;
  }
  if (v.type == Type::string && !p.choices.empty() &&
      std::find(p.choices.begin(), p.choices.end(), v.string) == p.choices.end()) {
    auto& d = error(m, a.range, "unknown " + vocabulary_name(p.name) + " '" + v.string + "'");
    std::string hint = did_you_mean(v.string, p.choices);
    if (!hint.empty()) d.help(hint);
    d.note("known: " + join_names(p.choices));
    return false;
  }
  if (p.regex) {
    // Compiled here as the data transform will compile it (runtime/regex), so a bad pattern
    // is a located error at `check`, not a failure halfway through a run.
    std::vector<const Value*> patterns;
    if (v.type == Type::string) patterns.push_back(&v);
    if (v.type == Type::list)
      for (const auto& item : v.list)
        if (item.type == Type::string) patterns.push_back(&item);
    for (const Value* pattern : patterns)
      if (auto bad = regex_syntax_error(pattern->string)) {
        error(m, a.range, "'" + p.name + "' of " + f.name + " is not a valid regular expression: " + bad->message +
                              " at character " + std::to_string(bad->offset + 1) + " of the pattern");
        return false;
      }
  }
  if (v.type == Type::number) {
    std::string must = violates(p.bounds, v.number);
    if (!must.empty()) {
      error(m, a.range, "'" + p.name + "' of " + f.name + " must be " + must + ", not " + v.number.str());
      return false;
    }
  }
  if (v.type == Type::list && p.element != Type::unknown) {
    for (const auto& item : v.list) {
      if (item.is_unknown()) continue;
      if (item.type != p.element) {
        error(m, a.range, "'" + p.name + "' of " + f.name + " must be a List of " + type_name(p.element) +
                              ", but it holds " + (item.type == Type::data ? "Data" : type_name(item.type)));
        return false;
      }
      if (item.type == Type::number) {
        std::string must = violates(p.bounds, item.number);
        if (!must.empty()) {
          error(m, a.range, "each of '" + p.name + "' of " + f.name + " must be " + must);
          return false;
        }
      }
    }
  }
  return true;
}

BoundArgs Evaluator::Impl::bind(const BuiltinFunction& f, SourceRange call_range, std::vector<Arg> args,
                                const Env& env) {
  const Module& m = *env.module;
  BoundArgs bound;
  std::vector<const BuiltinParam*> positional;
  for (const auto& p : f.params)
    if (p.positional) positional.push_back(&p);
  std::size_t next = 0;
  for (auto& a : args) {
    if (!a.keyword.empty()) continue;
    if (next < positional.size() && positional[next]->variadic) {
      bound.variadic.push_back(a);
      continue;
    }
    if (next >= positional.size()) {
      error(m, a.range,
            "too many arguments: " + f.name + " takes " +
                (positional.empty() ? std::string("no positional arguments")
                                    : "at most " + std::to_string(positional.size()) + " positional argument" +
                                          (positional.size() == 1 ? "" : "s")))
          .note(f.synopsis());
      bound.ok = false;
      continue;
    }
    bound.by_name[positional[next]->name] = a;
    ++next;
  }
  for (auto& a : args) {
    if (a.keyword.empty()) continue;
    const BuiltinParam* p = f.param(a.keyword);
    if (!p) {
      auto& d = error(m, a.keyword_range, "unknown keyword '" + a.keyword + "' for " + f.name);
      std::string hint = did_you_mean(a.keyword, f.param_names());
      if (!hint.empty()) d.help(hint);
      d.note(f.synopsis());
      bound.ok = false;
      continue;
    }
    if (p->variadic) {
      error(m, a.keyword_range, "'" + a.keyword + "' of " + f.name + " is given by position, not by keyword")
          .note(f.synopsis());
      bound.ok = false;
      continue;
    }
    if (bound.by_name.count(a.keyword)) {
      error(m, a.keyword_range, "'" + a.keyword + "' is given twice");
      bound.ok = false;
      continue;
    }
    bound.by_name[a.keyword] = a;
  }
  for (const auto& p : f.params) {
    if (!p.required) continue;
    if (p.variadic ? bound.variadic.empty() : !bound.by_name.count(p.name)) {
      error(m, call_range,
            f.name + " needs " + (p.variadic ? "at least one '" + p.name + "' argument" : "'" + p.name + "'"))
          .note(f.synopsis());
      bound.ok = false;
    }
  }
  for (auto& [name, a] : bound.by_name) {
    if (a.value.is_unknown()) bound.has_unknown = true;
    if (!check_arg(f, *f.param(name), a, env)) bound.ok = false;
  }
  for (auto& a : bound.variadic) {
    if (a.value.is_unknown()) bound.has_unknown = true;
    for (const auto& p : f.params)
      if (p.variadic && !check_arg(f, p, a, env)) bound.ok = false;
  }
  (void)call_range;
  return bound;
}

Value Evaluator::Impl::call_builtin(const BuiltinFunction& f, const Expr& call, SourceRange callee_range,
                                    std::vector<Arg> args, const Env& env) {
  const Module& m = *env.module;
  (void)callee_range;
  // Text of the arguments after the data one, for labels: `dedup("minhash", threshold = 0.85)`.
  std::string args_text;
  {
    bool first_data_skipped = false;
    for (const auto& a : args) {
      if (!first_data_skipped && a.keyword.empty() && !f.params.empty() && f.params.front().name == "data" &&
          f.params.front().types.contains(Type::data) && !f.params.front().variadic) {
        first_data_skipped = true;
        continue;
      }
      std::string text = a.keyword.empty() ? one_line(m.source.slice(a.range))
                                           : a.keyword + " = " + one_line(m.source.slice(a.range));
      args_text += (args_text.empty() ? "" : ", ") + text;
    }
  }
  BoundArgs b = bind(f, call.range, std::move(args), env);
  if (!b.ok || b.has_unknown) return Value::unknown();
  NodeOrigin at = origin(m, call.range);
  auto value_of = [&](const std::string& name) -> const Value* {
    const Arg* a = b.get(name);
    return a ? &a->value : nullptr;
  };
  // The keyword parameters (not the data) as canonical JSON, every default filled in from
  // the entry, then the entry's own rules applied: the node's params.
  std::optional<nlohmann::json> refined_kwargs;
  auto kwargs = [&]() -> std::optional<nlohmann::json> {
    if (refined_kwargs) return refined_kwargs;
    nlohmann::json j = nlohmann::json::object();
    std::vector<std::string> given;
    const Value* selector = f.selector.empty() ? nullptr : value_of(f.selector);
    for (const auto& p : f.params) {
      if (p.types.contains(Type::data) && p.types.str() == "Data") continue;
      const Arg* a = b.get(p.name);
      if (a) given.push_back(p.name);
      if (!p.only_for.empty()) {
        // A variant's parameter: its default under the chosen variant; dropped under another.
        const nlohmann::json* def = nullptr;
        for (const auto& [choice, d] : p.only_for)
          if (selector && selector->string == choice) def = &d;
        if (!def) {
          if (a) {
            std::string variants;
            for (const auto& [choice, d] : p.only_for) variants += (variants.empty() ? "" : " or ") + choice;
            warning(m, a->keyword_range,
                    "'" + p.name + "' has no effect with " + f.name + "(" + f.selector + " = \"" +
                        (selector ? selector->string : "") + "\"); it applies to " + variants);
          }
          continue;
        }
        if (a) j[p.name] = lowered_json(a->value);
        else if (def->is_null()) {
          error(m, call.range, f.name + "(" + f.selector + " = \"" + selector->string + "\") needs '" + p.name + "'")
              .note(f.synopsis());
          return std::nullopt;
        } else j[p.name] = *def;
        continue;
      }
      if (p.data_seed) j[p.name] = data_seed(b, env);
      else if (a) j[p.name] = lowered_json(a->value);
      else if (!p.default_value.is_null()) j[p.name] = p.default_value;
      if (p.omit_default && j.contains(p.name) && j[p.name] == p.default_value) j.erase(p.name);
    }
    if (f.refine) {
      bool ok = true;
      for (const auto& issue : f.refine(j, given)) {
        const Arg* at_arg = issue.param.empty() ? nullptr : b.get(issue.param);
        SourceRange r = at_arg ? at_arg->range : call.range;
        std::string message = f.name + " " + issue.message;
        if (issue.warning) warning(m, r, message);
        else {
          error(m, r, message).note(f.synopsis());
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
    }
    refined_kwargs = j;
    return j;
  };

  switch (f.lowering) {
    case Lowering::source: {
      fs::path path(value_of("path")->string);
      fs::path absolute = path.is_absolute() ? path : (m.directory() / path);
      if (auto problem = input_file_problem(absolute.lexically_normal(), path.string(), "data file")) {
        attach(error(m, b.get("path")->range, problem->message), *problem);
        return Value::unknown();
      }
      nlohmann::json params = {{"path", absolute.lexically_normal().string()},
                               {"container", f.name},
                               {"format", value_of("format")->string},
                               {"on_error", value_of("on_error") ? value_of("on_error")->string
                                                                 : f.param("on_error")->default_value.get<std::string>()}};
      return Value::of_data(data_leaf("source", params, f.name + "(" + nlohmann::json(path.string()).dump() + ")", at));
    }
    case Lowering::synthetic: {
      std::string kind = value_of("kind")->string;
      long long n = value_of("n") ? as_int(*value_of("n")) : f.param("n")->default_value.get<long long>();
      n = synthetic_size(kind, n);
      long long seed = data_seed(b, env);
      std::string level;
      if (!synthetic_level(kind, b.get("level"), m, level)) return Value::unknown();
      nlohmann::json params = {{"kind", kind}, {"n", n}, {"seed", seed}};
      // The level enters the node's key only when it is not the default, so every key made
      // before levels existed still names the same data.
      if (level != "paper") params["level"] = level;
      std::string label = "synthetic(" + nlohmann::json(kind).dump() + ", n = " + std::to_string(n) +
                          ", seed = " + std::to_string(seed) +
                          (level != "paper" ? ", level = " + nlohmann::json(level).dump() : std::string()) + ")";
      return Value::of_data(data_leaf("synthetic", params, label, at));
    }
    case Lowering::mix: {
      std::vector<DataPtr> inputs;
      for (const auto& a : b.variadic) inputs.push_back(a.value.data);
      return Value::of_data(data_mix(std::move(inputs), data_seed(b, env), at));
    }
    case Lowering::transform: {
      std::vector<DataPtr> inputs = {value_of("data")->data};
      for (const auto& a : b.variadic) inputs.push_back(a.value.data);
      auto params = kwargs();
      if (!params) return Value::unknown();
      (*params)["seed"] = data_seed(b, env);
      if (const BuiltinParam* frac = f.param("fraction"); frac && frac->types.contains(Type::number) && value_of("fraction"))
        (*params)["fraction"] = value_of("fraction")->number.fraction_str();  // exact, as the key needs
      return Value::of_data(data_transform(f.handler, *params, std::move(inputs), args_text, at));
    }
    case Lowering::metric: {
      auto params = kwargs();
      if (!params) return Value::unknown();
      auto metric = std::make_shared<MetricValue>();
      metric->metric = f.handler;
      metric->params = *params;
      if (const Value* d = value_of("data")) metric->data.push_back(d->data);
      for (const auto& a : b.variadic) metric->data.push_back(a.value.data);
      metric->label = one_line(m.source.slice(call.range));
      metric->origin = at;
      return Value::of_metric(metric);
    }
    default: break;
  }
  const std::string& name = f.name;
  if (f.lowering == Lowering::model) {
    auto model = std::make_shared<ModelValue>();
    model->family = value_of("family")->string;
    model->preset = value_of("preset") ? value_of("preset")->string : f.param("preset")->default_value.get<std::string>();
    if (profile && profile->preset) model->preset = *profile->preset;
    if (const Value* t = value_of("tokenizer")) {
      model->tokenizer = t->tokenizer;
    } else {
      auto tok = std::make_shared<TokenizerValue>();
      long long n = synthetic_size("pretrain", kDefaultTokenizerCorpusSize);
      nlohmann::json params = {{"kind", "pretrain"}, {"n", n}, {"seed", kDefaultTokenizerCorpusSeed}};
      tok->data = data_leaf("synthetic", params,
                            "synthetic(\"pretrain\", n = " + std::to_string(n) + ", seed = " +
                                std::to_string(kDefaultTokenizerCorpusSeed) + ")",
                            at);
      const ModelPreset* preset = find_preset(model->preset);
      tok->vocab = preset ? preset->vocab_size : 2000;
      tok->seed = data_seed(b, env);
      tok->label = "sentencepiece(" + tok->data->label + ", vocab = " + std::to_string(tok->vocab) + ")";
      model->tokenizer = tok;
    }
    model->label = "model(" + nlohmann::json(model->family).dump() + ", preset = " +
                   nlohmann::json(model->preset).dump() + ")";
    return Value::of_model(model);
  }
  if (f.lowering == Lowering::hf_model) {
    std::string written = value_of("path")->string;
    fs::path dir;
    if (config) {
      auto it = config->models.find(written);
      if (it != config->models.end()) dir = it->second;
    }
    if (dir.empty()) dir = fs::path(written).is_absolute() ? fs::path(written) : m.directory() / written;
    if (auto problem = hf_checkpoint_problem(dir.lexically_normal(), written, config)) {
      attach(error(m, b.get("path")->range, problem->message), *problem);
      return Value::unknown();
    }
    auto model = std::make_shared<ModelValue>();
    model->family = "llama";
    model->hf_dir = dir.lexically_normal().string();
    auto tok = std::make_shared<TokenizerValue>();
    // Most current checkpoints ship only tokenizer.json (run natively, see
    // runtime/tokenizer/hf_tokenizer.h); it wins over tokenizer.model when both are there, as
    // in transformers' fast tokenizers.
    const char* tokenizer_file = fs::exists(dir / "tokenizer.json") ? "tokenizer.json" : "tokenizer.model";
    if (auto problem = hf_vocab_problem(dir.lexically_normal(), tokenizer_file)) {
      attach(error(m, b.get("path")->range, problem->message), *problem);
      return Value::unknown();
    }
    tok->model_file = (dir / tokenizer_file).lexically_normal().string();
    tok->label = "hf(" + nlohmann::json(written).dump() + ")/" + tokenizer_file;
    model->tokenizer = tok;
    model->label = "hf(" + nlohmann::json(written).dump() + ")";
    return Value::of_model(model);
  }
  if (f.lowering == Lowering::tokenizer) {
    auto tok = std::make_shared<TokenizerValue>();
    const Value& data = *value_of("data");
    tok->vocab = value_of("vocab") ? as_int(*value_of("vocab")) : f.param("vocab")->default_value.get<long long>();
    tok->model_type =
        value_of("model_type") ? value_of("model_type")->string : f.param("model_type")->default_value.get<std::string>();
    tok->seed = data_seed(b, env);
    if (data.type == Type::string) {
      fs::path p(data.string);
      tok->model_file = (p.is_absolute() ? p : m.directory() / p).lexically_normal().string();
      // A model file's size is its own: `vocab` (the model's embedding rows) follows it, and a
      // written one that disagrees is an error rather than ids past the embedding.
      const Arg& file_arg = *b.get("data");
      if (auto problem = input_file_problem(tok->model_file, data.string, "tokenizer model")) {
        attach(error(m, file_arg.range, problem->message), *problem);
        return Value::unknown();
      }
      std::string why;
      auto size = tokenizer_file_size(tok->model_file, &why);
      if (!size) {
        error(m, file_arg.range, "cannot use " + data.string + " as a tokenizer: " + why);
        return Value::unknown();
      }
      if (const Arg* v = b.get("vocab"); v && tok->vocab != *size) {
        error(m, v->range, "vocab = " + std::to_string(tok->vocab) + ", but " + data.string + " has " +
                               std::to_string(*size) + " pieces")
            .help("leave vocab out: a tokenizer read from a file has the file's size");
        return Value::unknown();
      }
      tok->vocab = *size;
    } else {
      tok->data = data.data;
    }
    tok->label = "sentencepiece(" + args_text + ")";
    return Value::of_tokenizer(tok);
  }
  if (f.lowering == Lowering::method) {
    auto given_params = kwargs();
    if (!given_params) return Value::unknown();
    nlohmann::json& params = *given_params;
    auto method = std::make_shared<MethodValue>();
    rt::Method defaults;
    method->params = {{"kind", name},
                      {"lora_r", defaults.lora_r},
                      {"lora_alpha", defaults.lora_alpha},
                      {"lora_dropout", defaults.lora_dropout},
                      {"lora_targets", defaults.lora_targets},
                      {"freeze_layers", defaults.freeze_layers}};
    if (name == "lora") {
      if (const Arg* targets = b.get("targets"))
        for (const auto& t : params["targets"])
          if (auto problem = lora_target_problem(t.get<std::string>())) {
            attach(error(m, targets->range, problem->message), *problem);
            return Value::unknown();
          }
      method->params["lora_r"] = params["r"];
      method->params["lora_alpha"] = params["alpha"].get<double>();
      method->params["lora_dropout"] = params["dropout"].get<double>();
      method->params["lora_targets"] = params["targets"];
    } else {
      method->params["freeze_layers"] = params["layers"];
    }
    method->label = name + "(" + args_text + ")";
    return Value::of_method(method);
  }
  return Value::unknown();
}

}  // namespace sftx
