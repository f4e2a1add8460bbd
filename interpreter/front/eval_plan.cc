// Hyperparameters (built-in < file defaults < profile < with), plan instances with their
// stages, experiments, and the whole-program check.
#include <algorithm>

#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/evaluator_impl.h"
#include "stdlib/hyperparams.h"

namespace sftx {

namespace {

std::string number_display(const Rational& r) {
  if (r.is_integer()) return r.str();
  if (auto d = r.decimal_str(12)) return *d;
  return r.str();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Converts a profile's TOML value to a language value; nullopt (and *why) when it cannot be.
std::optional<Value> config_value(const ConfigValue& c, std::string* why) {
  switch (c.kind) {
    case ConfigValue::Kind::integer:
    case ConfigValue::Kind::real: {
      std::string text = c.text;
      bool negative = !text.empty() && text[0] == '-';
      if (!text.empty() && (text[0] == '-' || text[0] == '+')) text = text.substr(1);
      text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
      auto r = Rational::parse_literal(text, why);
      if (!r) return std::nullopt;
      return Value::of_number(negative ? r->negated() : *r);
    }
    case ConfigValue::Kind::string: {
      std::string s = c.text;
      try {
        auto j = nlohmann::json::parse(s);
        if (j.is_string()) s = j.get<std::string>();
      } catch (const std::exception&) {
        if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'')) s = s.substr(1, s.size() - 2);
      }
      return Value::of_string(s);
    }
    case ConfigValue::Kind::boolean: return Value::of_bool(c.text == "true");
  }
  return std::nullopt;
}

// "" when `v` is a valid value of hyperparameter `h`; else what is wrong. Fills `out`.
std::string hyper_value(const HyperParam& h, const Value& v, HyperSetting& out) {
  auto bound = [](const std::optional<std::string>& lit) {
    return lit ? Rational::parse_literal(*lit, nullptr) : std::nullopt;
  };
  switch (h.kind) {
    case HyperKind::integer: {
      if (v.type != Type::number) return "'" + h.name + "' must be a Number, not " + type_name(v.type);
      if (!v.number.is_integer() || !v.number.to_int64())
        return "'" + h.name + "' must be a whole number, not " + v.number.str();
      if (auto min = bound(h.min); min && v.number < *min) return "'" + h.name + "' must be at least " + min->str();
      out.value = *v.number.to_int64();
      out.display = v.number.str();
      return "";
    }
    case HyperKind::real: {
      if (v.type != Type::number) return "'" + h.name + "' must be a Number, not " + type_name(v.type);
      if (auto min = bound(h.min); min && v.number < *min) return "'" + h.name + "' must be at least " + min->str();
      if (auto max = bound(h.max); max && v.number > *max) return "'" + h.name + "' must be at most " + max->str();
      out.value = v.number.to_double();
      out.display = number_display(v.number);
      return "";
    }
    case HyperKind::string: {
      if (v.type != Type::string) return "'" + h.name + "' must be a String, not " + type_name(v.type);
      if (std::find(h.choices.begin(), h.choices.end(), v.string) == h.choices.end()) {
        std::string what = h.name == "template" ? "chat template" : h.name;
        return "unknown " + what + " '" + v.string + "'";
      }
      out.value = v.string;
      out.display = nlohmann::json(v.string).dump();
      return "";
    }
    case HyperKind::method: {
      rt::Method defaults;
      if (v.type == Type::string && v.string == "full") {
        out.value = {{"kind", "full"},
                     {"lora_r", defaults.lora_r},
                     {"lora_alpha", defaults.lora_alpha},
                     {"lora_dropout", defaults.lora_dropout},
                     {"lora_targets", defaults.lora_targets},
                     {"freeze_layers", defaults.freeze_layers}};
        out.display = "\"full\"";
        return "";
      }
      if (v.type == Type::method && v.method) {
        out.value = v.method->params;
        out.display = v.method->label;
        return "";
      }
      return "'method' must be \"full\", lora(...) or freeze(...)";
    }
  }
  return "";
}

// Help for an unknown hyperparameter: sftx's name for a common alias (transformers' spelling:
// learning_rate, num_train_epochs, ...), else the closest name.
std::string unknown_hyper_help(const std::string& name) {
  if (const std::string* canonical = hyperparam_alias(name))
    return "did you mean '" + *canonical + "'? (sftx's name for " + name + ")";
  return did_you_mean(name, hyperparam_names());
}

// method = "lora" / "freeze": the method is a call, shown with its settings.
std::string method_call_help(const std::string& written) {
  rt::Method d;
  if (written == "lora" || written == "LoRA" || written == "LORA")
    return "a LoRA method is a call: method = lora(r = " + std::to_string(d.lora_r) + ", alpha = " +
           std::to_string(static_cast<long long>(d.lora_alpha)) + ")";
  if (written == "freeze") return "freezing is a call that says how many top layers train: method = freeze(layers = 2)";
  return "";
}

}  // namespace

bool Evaluator::Impl::set_hyper(HyperMap& map, const std::string& name, const Value& v,
                                const std::string& provenance, const Module& m, SourceRange name_range,
                                SourceRange value_range) {
  const HyperParam* h = find_hyperparam(name);
  if (!h) {
    auto& d = error(m, name_range, "unknown hyperparameter '" + name + "'");
    std::string hint = unknown_hyper_help(name);
    if (!hint.empty()) d.help(hint);
    return false;
  }
  if (v.is_unknown()) return false;
  HyperSetting s;
  std::string wrong = hyper_value(*h, v, s);
  if (!wrong.empty()) {
    auto& d = error(m, value_range, wrong);
    if (h->kind == HyperKind::string && v.type == Type::string) {
      std::string hint = did_you_mean(v.string, h->choices);
      if (!hint.empty()) d.help(hint);
      d.note("known: " + join(h->choices));
    }
    if (h->kind == HyperKind::method && v.type == Type::string) {
      std::string hint = method_call_help(v.string);
      if (!hint.empty()) d.help(hint);
    }
    return false;
  }
  s.provenance = provenance;
  map[name] = s;
  return true;
}

void Evaluator::Impl::apply_profile(HyperMap& map) {
  if (!profile) return;
  for (const auto& entry : profile->train) {
    // Named references, not a structured binding: clang 14 (the fuzzer's compiler) cannot
    // capture structured bindings in the lambda below.
    const std::string& name = entry.first;
    const ConfigValue& c = entry.second;
    std::string where = config && !config->path.empty() ? config->path.string() : "sftx.toml";
    const HyperParam* h = find_hyperparam(name);
    auto report = [&](const std::string& message) -> Diagnostic& {
      if (!reported.emplace(where, c.line, c.column, message).second) {
        discarded = Diagnostic{};
        return discarded;
      }
      return diags.error(where, c.line, c.column, message);
    };
    if (!h) {
      auto& d = report("unknown hyperparameter '" + name + "' in [profile." + profile->name + ".train]");
      std::string hint = unknown_hyper_help(name);
      if (!hint.empty()) d.help(hint);
      continue;
    }
    std::string why;
    auto v = config_value(c, &why);
    if (!v) {
      report("profile value of '" + name + "': " + why);
      continue;
    }
    HyperSetting s;
    std::string wrong = hyper_value(*h, *v, s);
    if (!wrong.empty()) {
      report(wrong + " (in [profile." + profile->name + ".train])");
      continue;
    }
    s.provenance = "profile:" + profile->name;
    map[name] = s;
  }
}

const HyperMap& Evaluator::Impl::module_hyper(const Module& m) {
  auto done = module_hypers.find(&m);
  if (done != module_hypers.end()) return done->second;
  static const HyperMap builtin = [] {
    HyperMap map;
    for (const auto& h : hyperparams()) {
      Value v;
      if (h.kind == HyperKind::integer || h.kind == HyperKind::real)
        v = Value::of_number(*Rational::parse_literal(h.default_literal, nullptr));
      else
        v = Value::of_string(h.default_literal);
      HyperSetting s;
      hyper_value(h, v, s);
      s.provenance = "builtin";
      map[h.name] = s;
    }
    return map;
  }();
  if (hypers_in_progress.count(&m)) return builtin;  // a default that uses a data operation
  hypers_in_progress.insert(&m);
  HyperMap map = builtin;
  Env env;
  env.module = &m;
  std::map<std::string, const Field*> seen;
  for (const Field* f : m.defaults) {
    auto [it, fresh] = seen.emplace(f->name, f);
    if (!fresh) {
      LineColumn lc = m.source.location(it->second->name_range.begin);
      error(m, f->name_range, "'" + f->name + "' is set twice in defaults")
          .note("first set here: " + m.path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column));
      continue;
    }
    Value v = eval(*f->value, env);
    set_hyper(map, f->name, v, "defaults", m, f->name_range, f->value->range);
  }
  apply_profile(map);
  hypers_in_progress.erase(&m);
  return module_hypers[&m] = std::move(map);
}

Value Evaluator::Impl::call_plan(const Definition& def, const Expr& call, std::vector<Arg> args, const Env& env) {
  const Module& m = *env.module;
  const PlanDecl& p = *def.plan;
  std::vector<std::optional<Value>> values(p.params.size());
  std::vector<std::string> param_names;
  for (const auto& prm : p.params) param_names.push_back(prm.name);
  std::string signature = p.name + "(" + join(param_names) + ")";
  bool ok = true;
  std::size_t positional = 0;
  for (const auto& a : args) {
    if (!a.keyword.empty()) continue;
    if (positional < values.size()) values[positional] = a.value;
    ++positional;
  }
  if (positional > p.params.size()) {
    error(m, call.range,
          "plan '" + p.name + "' takes " + std::to_string(p.params.size()) +
              (p.params.size() == 1 ? " argument" : " arguments") + ", but " + std::to_string(positional) +
              (positional == 1 ? " was" : " were") + " given")
        .note("declared as " + signature);
    ok = false;
  }
  for (const auto& a : args) {
    if (a.keyword.empty()) continue;
    auto it = std::find(param_names.begin(), param_names.end(), a.keyword);
    if (it == param_names.end()) {
      auto& d = error(m, a.keyword_range, "plan '" + p.name + "' has no parameter '" + a.keyword + "'");
      std::string hint = did_you_mean(a.keyword, param_names);
      if (!hint.empty()) d.help(hint);
      ok = false;
      continue;
    }
    auto idx = static_cast<std::size_t>(it - param_names.begin());
    if (values[idx]) {
      error(m, a.keyword_range, "'" + a.keyword + "' is given twice");
      ok = false;
      continue;
    }
    values[idx] = a.value;
  }
  if (ok) {
    std::vector<std::string> missing;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!values[i]) missing.push_back(param_names[i]);
    if (!missing.empty()) {
      error(m, call.range,
            "plan '" + p.name + "' takes " + std::to_string(p.params.size()) +
                (p.params.size() == 1 ? " argument" : " arguments") + ", but " + std::to_string(positional) +
                (positional == 1 ? " was" : " were") + " given")
          .note("missing: " + join(missing) + "; declared as " + signature);
      ok = false;
    }
  }
  if (!ok) return Value::unknown();
  std::vector<Value> plain;
  for (auto& v : values) {
    if (v->is_unknown()) return Value::unknown();
    plain.push_back(*v);
  }
  return Value::of_plan(instantiate(def, std::move(plain), origin(m, call.range)));
}

PlanInstancePtr Evaluator::Impl::instantiate(const Definition& def, std::vector<Value> args, const NodeOrigin& at) {
  const PlanDecl& p = *def.plan;
  const Module& m = *def.module;
  std::string label = p.name;
  std::vector<std::pair<std::string, std::string>> rendered;
  if (!p.params.empty() || p.has_param_list) {
    label += "(";
    for (std::size_t i = 0; i < p.params.size(); ++i) {
      std::string text = i < args.size() && !args[i].is_unknown() ? render_value(args[i]) : p.params[i].name;
      rendered.emplace_back(p.params[i].name, text);
      label += (i ? ", " : "") + text;
    }
    label += ")";
  }
  if (!p.has_param_list) label = p.name;
  bool abstract = false;
  for (const auto& a : args) abstract |= a.is_unknown();
  // An instance checked with unknown arguments is kept apart from every real one.
  std::string memo_key = m.canonical.string() + "\n" + label + (abstract ? "\n?" : "");
  auto found = instances.find(memo_key);
  if (found != instances.end()) return found->second;

  auto inst = std::make_shared<PlanInstance>();
  inst->def = PlanDef{&p, &m};
  inst->args = rendered;
  inst->label = label;
  inst->origin = at;
  if (instantiating.count(&p) || depth >= kMaxDefinitionDepth) {
    error(m, p.name_range, "plan '" + p.name + "' uses itself")
        .note("a plan's stages and `from` cannot refer to the same plan");
    return inst;
  }
  instantiating.insert(&p);
  ++depth;

  Env env;
  env.module = &m;
  env.plan = &p;
  env.stages = &inst->stages;
  // Parameters: duplicates, and clashes with stage names.
  std::set<std::string> param_names;
  for (std::size_t i = 0; i < p.params.size(); ++i) {
    if (!param_names.insert(p.params[i].name).second)
      error(m, p.params[i].range, "parameter '" + p.params[i].name + "' is declared twice");
    env.locals[p.params[i].name] = i < args.size() ? args[i] : Value::unknown();
  }
  if (p.stages.empty()) error(m, p.name_range, "plan '" + p.name + "' has no stages");
  if (p.from) {
    env.current_stage = -1;
    Value from = eval(*p.from, env);
    if (from.type == Type::model) inst->from = from.model;
    else if (!from.is_unknown())
      error(m, p.from->range, "a plan starts `from` a Model, not " + std::string(type_name(from.type)));
  }
  const HyperMap& file_hyper = module_hyper(m);
  std::map<std::string, const Stage*> stage_names;
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    const Stage& s = p.stages[i];
    auto [it, fresh] = stage_names.emplace(s.name, &s);
    if (!fresh) {
      LineColumn lc = m.source.location(it->second->name_range.begin);
      error(m, s.name_range, "stage '" + s.name + "' is defined twice in plan '" + p.name + "'")
          .note("first defined here: " + m.path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column));
    }
    if (param_names.count(s.name))
      error(m, s.name_range, "stage '" + s.name + "' has the name of a parameter of plan '" + p.name + "'");
    StageInstance stage;
    stage.name = s.name;
    stage.hyper = file_hyper;
    stage.origin = origin(m, s.range);
    env.current_stage = static_cast<int>(i);
    if (s.with) {
      if (const auto* rec = s.with->as<Record>()) {
        std::set<std::string> seen;
        for (const auto& f : rec->fields) {
          if (!seen.insert(f.name).second) {
            error(m, f.name_range, "'" + f.name + "' is set twice in this `with`");
            continue;
          }
          Value v = eval(*f.value, env);
          set_hyper(stage.hyper, f.name, v, "with", m, f.name_range, f.value->range);
        }
      }
    }
    env.hyper = &stage.hyper;
    Value data = eval(s.data, env);
    stage.data = require_data(data, m, s.data.range);
    env.hyper = nullptr;
    inst->stages.push_back(std::move(stage));
  }
  --depth;
  instantiating.erase(&p);
  instances[memo_key] = inst;
  return inst;
}

namespace {
const std::vector<std::string> kExperimentFields = {"base", "plans", "eval", "seeds"};
}

ExperimentInstance Evaluator::Impl::eval_experiment(const Definition& def) {
  const ExperimentDecl& x = *def.experiment;
  const Module& m = *def.module;
  ExperimentInstance out;
  out.name = x.name;
  out.module = &m;
  out.origin = origin(m, x.name_range);
  Env env;
  env.module = &m;
  std::map<std::string, const Field*> fields;
  for (const auto& f : x.fields) {
    if (std::find(kExperimentFields.begin(), kExperimentFields.end(), f.name) == kExperimentFields.end()) {
      auto& d = error(m, f.name_range, "unknown experiment field '" + f.name + "'");
      std::string hint = did_you_mean(f.name, kExperimentFields);
      if (!hint.empty()) d.help(hint);
      d.note("an experiment has base, plans, eval and seeds (and claims: expect \"...\" { ... })");
      eval(*f.value, env);
      continue;
    }
    auto [it, fresh] = fields.emplace(f.name, &f);
    if (!fresh) {
      error(m, f.name_range, "'" + f.name + "' is given twice in experiment '" + x.name + "'");
      continue;
    }
  }
  if (auto it = fields.find("base"); it != fields.end()) {
    Value base = eval(*it->second->value, env);
    if (base.type == Type::model) out.base = base.model;
    else if (!base.is_unknown())
      error(m, it->second->value->range, "an experiment's base must be a Model, not " +
                                             std::string(base.type == Type::plan_def ? "Plan" : type_name(base.type)));
  }
  // Items of a list field, each checked with the best range we have for it.
  auto items = [&](const Field& f, Type want, const char* what) {
    std::vector<std::pair<Value, SourceRange>> out_items;
    const Expr& e = *f.value;
    if (const auto* l = e.as<List>()) {
      for (const auto& item : l->items) out_items.emplace_back(eval(item, env), item.range);
    } else {
      Value v = eval(e, env);
      if (v.type == Type::list) {
        for (auto& item : v.list) out_items.emplace_back(std::move(item), e.range);
      } else if (!v.is_unknown()) {
        error(m, e.range, std::string("an experiment's ") + what + " must be a List, not " + type_name(v.type))
            .help(std::string(what) + " = [ ... ]");
      }
    }
    std::vector<Value> good;
    for (auto& [v, r] : out_items) {
      if (v.is_unknown()) continue;
      if (v.type == Type::plan_def && want == Type::plan) {
        const PlanDecl& p = *v.plan_def.decl;
        std::vector<std::string> names;
        for (const auto& prm : p.params) names.push_back(prm.name);
        error(m, r, "plan '" + p.name + "' takes " + std::to_string(p.params.size()) +
                        (p.params.size() == 1 ? " argument" : " arguments") + ", but 0 were given")
            .help("give them: " + p.name + "(" + join(names) + ")");
        continue;
      }
      if (v.type != want) {
        error(m, r, std::string("expected ") + (want == Type::plan ? "a Plan" : "a Metric") + " in " + what +
                        ", found " + (v.type == Type::plan_def ? "Plan" : type_name(v.type)));
        continue;
      }
      good.push_back(std::move(v));
    }
    return good;
  };
  if (auto it = fields.find("plans"); it != fields.end()) {
    std::set<std::string> labels;
    auto plans = items(*it->second, Type::plan, "plans");
    for (auto& v : plans) {
      if (!labels.insert(v.plan->label).second)
        warning(m, it->second->value->range, "plan instance '" + v.plan->label + "' is listed twice");
      else
        out.plans.push_back(v.plan);
    }
    if (plans.empty() && it->second->value->is<List>() && it->second->value->as<List>()->items.empty())
      error(m, it->second->value->range, "experiment '" + x.name + "' has an empty plans list");
  } else {
    error(m, x.name_range, "experiment '" + x.name + "' has no plans").help("plans = [plan1, plan2(1/4)]");
  }
  if (auto it = fields.find("eval"); it != fields.end()) {
    for (auto& v : items(*it->second, Type::metric, "eval")) out.metrics.push_back(v.metric);
  } else {
    warning(m, x.name_range, "experiment '" + x.name + "' evaluates nothing").help("eval = [gsm8k(gsm8k_test)]");
  }
  if (auto it = fields.find("seeds"); it != fields.end()) out.seeds = eval_seeds(*it->second, m);
  out.claims = eval_claims(x, m, out);
  if (!out.base) {
    for (const auto& p : out.plans) {
      if (p->from) continue;
      if (fields.count("base")) break;  // the base had an error, already reported
      error(m, x.name_range, "experiment '" + x.name + "' has no base model, and plan '" + p->label +
                                 "' has no `from`")
          .help("base = model(\"llama\", preset = \"nano\")");
      break;
    }
  }
  return out;
}

void Evaluator::Impl::check_all() {
  for (const auto& mod : program.modules) module_hyper(*mod);
  for (const auto& mod : program.modules)
    for (const auto& [name, def] : mod->definitions)
      if (def.kind == Definition::Kind::binding) global_value(def);
  // Plans once with unknown arguments: errors that do not depend on the arguments.
  for (const auto& mod : program.modules)
    for (const auto& [name, def] : mod->definitions)
      if (def.kind == Definition::Kind::plan) {
        if (def.plan->params.empty()) instantiate(def, {}, origin(*mod, def.name_range));
        else instantiate(def, std::vector<Value>(def.plan->params.size()), origin(*mod, def.name_range));
      }
  for (const auto& mod : program.modules) {
    // Experiments in source order.
    std::vector<const Definition*> ordered;
    for (const auto& [name, def] : mod->experiments) ordered.push_back(&def);
    std::sort(ordered.begin(), ordered.end(),
              [](const Definition* a, const Definition* b) { return a->name_range.begin < b->name_range.begin; });
    for (const Definition* def : ordered) {
      ExperimentInstance x = eval_experiment(*def);
      if (mod.get() == program.main) experiments.push_back(std::move(x));
    }
  }
  const Module& main = *program.main;
  // With errors, a definition often looks unused only because the use had the error.
  if (!main.experiments.empty() && !diags.has_errors()) {
    for (const auto& [name, def] : main.definitions) {
      if (used.count(&def)) continue;
      warning(main, def.name_range,
              (def.kind == Definition::Kind::plan ? "plan '" : "'") + name + "' is defined but never used");
    }
  }
}

}  // namespace sftx
