// Plan calls and plan instances: binding a plan's arguments, then evaluating its stages in
// order (each stage's data, `from`, and hyperparameters) into a PlanInstance.
#include <algorithm>

#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/evaluator_impl.h"

namespace sftx {

Value Evaluator::Impl::call_plan(const Definition& def, const Expr& call, std::vector<Arg> args, const Env& env) {
  const Module& m = *env.module;
  const PlanDecl& p = *def.plan;
  std::vector<std::optional<Value>> values(p.params.size());
  std::vector<std::string> param_names;
  for (const auto& prm : p.params) param_names.push_back(prm.name);
  std::string signature = p.name + "(" + join_names(param_names) + ")";
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
          .note("missing: " + join_names(missing) + "; declared as " + signature);
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

}  // namespace sftx
