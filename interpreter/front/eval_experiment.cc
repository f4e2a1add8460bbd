// Experiments: their plans (with seeds), metrics and claims, evaluated into an
// ExperimentInstance.
#include <algorithm>

#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/evaluator_impl.h"
#include "interpreter/front/input_files.h"

namespace sftx {

namespace {

const std::vector<std::string> kExperimentFields = {"base", "plans", "eval", "seeds"};

}  // namespace

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
    if (base.type == Type::model) {
      out.base = base.model;
      // A stage as the base is trained by its own plan, which starts from its `from` or, without
      // one, from the experiment's base: that is the stage itself. Found here, or the graph
      // would silently have no plans to build on it.
      ModelPtr model = out.base;
      for (int hops = 0; model && model->is_stage() && model->instance; ++hops) {
        const PlanInstance& owner = *model->instance;
        if (!owner.from || hops >= 64) {
          error(m, it->second->value->range,
                "experiment '" + x.name + "' has base " + out.base->label + ", which plan '" + owner.label +
                    "' trains from the experiment's base: the base would be trained from itself")
              .help("start that plan from a model: plan " + owner.def.decl->name +
                    " from model(\"llama\", preset = \"nano\") { ... }");
          break;
        }
        model = owner.from;
      }
    } else if (!base.is_unknown())
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
            .help("give them: " + p.name + "(" + join_names(names) + ")");
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
    if (const auto* l = it->second->value->as<List>())
      for (const auto& item : l->items)
        if (item.is<Call>()) metric_call_sites.insert(&item);
    for (auto& v : items(*it->second, Type::metric, "eval")) out.metrics.push_back(v.metric);
  } else {
    warning(m, x.name_range, "experiment '" + x.name + "' evaluates nothing").help("eval = [gsm8k(gsm8k_test)]");
  }
  // template = "model" takes the chat template from the checkpoint the plan starts from: that
  // must be an hf(...) directory that has one.
  if (auto it = fields.find("plans"); it != fields.end()) {
    std::set<std::string> told;
    for (const auto& p : out.plans) {
      ModelPtr root = p->from ? p->from : out.base;
      for (int hops = 0; root && root->is_stage() && root->instance && hops < 64; ++hops)
        root = root->instance->from ? root->instance->from : out.base;
      if (!root || root->is_stage()) continue;
      for (const auto& stage : p->stages) {
        if (stage.hyper.count("template") == 0 || stage.hyper.at("template").value != "model") continue;
        std::string problem = root->hf_dir.empty()
                                  ? "its base model " + root->label + " is not a Hugging Face checkpoint"
                                  : hf_chat_template_problem(root->hf_dir);
        if (!problem.empty() && !root->hf_dir.empty()) problem = root->label + " has no chat template: " + problem;
        if (problem.empty() || !told.insert(p->label).second) continue;
        error(m, it->second->value->range, "plan '" + p->label + "' (stage '" + stage.name +
                                               "') uses template = \"model\", the checkpoint's own chat template, but " +
                                               problem)
            .help("base = hf(\"DIR\") with a chat template, or a built-in: vicuna, llama2, chatml, alpaca");
        break;
      }
    }
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

}  // namespace sftx
