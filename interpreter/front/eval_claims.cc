// An experiment's `seeds = [...]` and its claims `expect "NAME" { ... }`: checked against
// the experiment's plans and eval, and normalised into the JSON the report's claim checker
// (interpreter/exec/claims.h) evaluates:
//   {"name", "origin": "file:line:col", "text",
//    "comparisons": [{"text", "op", "larger": [TERM...], "smaller": [TERM...]}]}
//   TERM: {"coefficient": c, "plan": "dmt(1/256)", "metric": "gsm8k", "field": "accuracy",
//          "column": "gsm8k.accuracy"}  or a constant {"coefficient": c}
// `a < b` and `a <= b` both claim b is the larger side; `>`/`>=` claim a is.
#include <algorithm>

#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/evaluator_impl.h"
#include "stdlib/metric_fields.h"

namespace sftx {

namespace {

// Source text with runs of whitespace (newlines too) folded into one space.
std::string folded(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::vector<long long> Evaluator::Impl::eval_seeds(const Field& f, const Module& m) {
  Env env;
  env.module = &m;
  Value v = eval(*f.value, env);
  if (v.is_unknown()) return {};
  if (v.type != Type::list) {
    error(m, f.value->range, std::string("an experiment's seeds must be a List of whole numbers, not ") +
                                 type_name(v.type))
        .help("seeds = [1, 2, 3]");
    return {};
  }
  const auto* written = f.value->as<List>();
  std::vector<long long> seeds;
  for (std::size_t i = 0; i < v.list.size(); ++i) {
    const Value& s = v.list[i];
    SourceRange r = written && i < written->items.size() ? written->items[i].range : f.value->range;
    if (s.is_unknown()) return {};
    if (s.type != Type::number || !s.number.is_integer() || !s.number.to_int64() || s.number.sign() < 0) {
      error(m, r, "a seed must be a whole number at least 0, not " + render_value(s));
      return {};
    }
    long long seed = *s.number.to_int64();
    if (std::find(seeds.begin(), seeds.end(), seed) != seeds.end()) {
      error(m, r, "seed " + std::to_string(seed) + " is listed twice");
      return {};
    }
    seeds.push_back(seed);
  }
  if (seeds.empty()) {
    error(m, f.value->range, "an experiment's seeds list is empty").help("seeds = [1, 2, 3], or leave seeds out");
    return {};
  }
  return seeds;
}

nlohmann::json Evaluator::Impl::eval_claim_ref(const ClaimRef& r, const Module& m, const ExperimentInstance& inst,
                                               bool& ok) {
  std::vector<std::string> labels;
  for (const auto& p : inst.plans) labels.push_back(p->label);
  // The plan instance: a name or call that must name a plan, and one the experiment runs.
  std::string callee;
  if (const auto* n = r.plan.as<Name>()) callee = n->name;
  else if (const auto* c = r.plan.as<Call>()) callee = c->callee;
  auto def = m.scope.find(callee);
  if (def == m.scope.end() || def->second->kind != Definition::Kind::plan) {
    auto& d = error(m, r.plan.range, "unknown plan '" + callee + "' in claim");
    std::vector<std::string> names;
    for (const auto& p : inst.plans) names.push_back(p->def.decl ? p->def.decl->name : p->label);
    std::string hint = did_you_mean(callee, names);
    if (!hint.empty()) d.help(hint);
    if (!labels.empty()) d.note("the experiment's plans: " + join_names(labels));
    ok = false;
    return nullptr;
  }
  Env env;
  env.module = &m;
  Value v = eval(r.plan, env);
  std::string label;
  if (v.type == Type::plan && v.plan) {
    label = v.plan->label;
  } else {
    if (v.type == Type::plan_def)
      error(m, r.plan.range, "plan '" + callee + "' takes arguments: name the instance as in plans, e.g. " +
                                 callee + "(...)");
    ok = false;
    return nullptr;
  }
  if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
    auto& d = error(m, r.plan.range, "plan instance '" + label + "' is not in the experiment's plans");
    std::string hint = did_you_mean(label, labels);
    if (!hint.empty()) d.help(hint);
    d.note("the experiment's plans: " + (labels.empty() ? std::string("none") : join_names(labels)));
    ok = false;
  }
  // The metric: a known one, evaluated by this experiment exactly once.
  const auto& known = known_metrics();
  const MetricValue* metric = nullptr;
  if (std::find(known.begin(), known.end(), r.metric) == known.end()) {
    auto& d = error(m, r.metric_range, "unknown metric '" + r.metric + "'");
    std::string hint = did_you_mean(r.metric, known);
    if (!hint.empty()) d.help(hint);
    d.note("metrics: " + join_names(known));
    ok = false;
    return nullptr;
  }
  std::vector<std::string> evaluated;
  int count = 0;
  for (const auto& mv : inst.metrics) {
    evaluated.push_back(mv->label);
    if (mv->metric == r.metric) {
      metric = mv.get();
      ++count;
    }
  }
  if (!metric) {
    error(m, r.metric_range, "metric '" + r.metric + "' is not in the experiment's eval")
        .note("the experiment evaluates: " + (evaluated.empty() ? std::string("nothing") : join_names(evaluated)));
    ok = false;
    return nullptr;
  }
  if (count > 1) {
    error(m, r.metric_range, "metric '" + r.metric + "' is evaluated " + std::to_string(count) +
                                 " times in this experiment, so a claim cannot tell which")
        .note("the experiment evaluates: " + join_names(evaluated));
    ok = false;
    return nullptr;
  }
  // The field: one the metric writes.
  const MetricField* field = find_metric_field(r.metric, r.field);
  if (!field) {
    auto names = metric_field_names(r.metric);
    auto& d = error(m, r.field_range, "metric '" + r.metric + "' has no field '" + r.field + "'");
    std::string hint = did_you_mean(r.field, names);
    if (!hint.empty()) d.help(hint);
    d.note(r.metric + " fields: " + join_names(names));
    ok = false;
    return nullptr;
  }
  if (field->per_k) {
    // pass@K exists only for the k the metric computes.
    std::string k = r.field.substr(field->field.size());
    std::vector<std::string> computed;
    if (metric->params.contains("k") && metric->params["k"].is_array())
      for (const auto& kv : metric->params["k"]) computed.push_back(field->field + kv.dump());
    if (std::find(computed.begin(), computed.end(), r.field) == computed.end()) {
      error(m, r.field_range, "'" + r.field + "' is not computed by " + metric->label)
          .note("it computes " + (computed.empty() ? std::string("nothing per k") : join_names(computed)) +
                "; add k to its k = [...]");
      ok = false;
      return nullptr;
    }
  }
  return {{"plan", label}, {"metric", r.metric}, {"field", r.field}, {"column", r.metric + "." + r.field}};
}

nlohmann::json Evaluator::Impl::eval_claims(const ExperimentDecl& x, const Module& m, const ExperimentInstance& inst) {
  nlohmann::json out = nlohmann::json::array();
  std::set<std::string> names;
  for (const Claim& c : x.claims) {
    bool ok = true;
    if (!names.insert(c.name).second) {
      error(m, c.name_range, "claim \"" + c.name + "\" is stated twice in experiment '" + x.name + "'");
      ok = false;
    }
    if (c.name.empty()) {
      error(m, c.name_range, "a claim needs a name").help("expect \"sequential forgets maths\" { ... }");
      ok = false;
    }
    nlohmann::json comparisons = nlohmann::json::array();
    for (const ClaimComparison& cmp : c.comparisons) {
      auto side = [&](const std::vector<ClaimTerm>& terms) {
        nlohmann::json j = nlohmann::json::array();
        for (const ClaimTerm& t : terms) {
          Rational coefficient = Rational::fraction(1, 1);
          if (!t.coefficient.empty()) {
            std::string why;
            auto r = Rational::parse_literal(t.coefficient, &why);
            if (!r) {
              error(m, t.coefficient_range, why);
              ok = false;
              continue;
            }
            coefficient = *r;
          }
          nlohmann::json term = nlohmann::json::object();
          if (t.ref) {
            term = eval_claim_ref(*t.ref, m, inst, ok);
            if (term.is_null()) continue;
          }
          term["coefficient"] = (t.negative ? coefficient.negated() : coefficient).to_double();
          j.push_back(std::move(term));
        }
        return j;
      };
      nlohmann::json lhs = side(cmp.lhs), rhs = side(cmp.rhs);
      bool any_ref = std::any_of(cmp.lhs.begin(), cmp.lhs.end(), [](const ClaimTerm& t) { return t.ref.has_value(); }) ||
                     std::any_of(cmp.rhs.begin(), cmp.rhs.end(), [](const ClaimTerm& t) { return t.ref.has_value(); });
      if (!any_ref) {
        error(m, cmp.range, "this comparison refers to no result: it compares numbers only")
            .help("compare PLAN.METRIC.FIELD values, e.g. sequential.gsm8k.accuracy < maths_only.gsm8k.accuracy");
        ok = false;
      }
      bool lhs_larger = cmp.op == ">" || cmp.op == ">=";
      comparisons.push_back({{"text", folded(m.source.slice(cmp.range))},
                             {"op", cmp.op},
                             {"larger", lhs_larger ? lhs : rhs},
                             {"smaller", lhs_larger ? rhs : lhs}});
    }
    if (!ok) continue;
    NodeOrigin at = origin(m, c.range);
    std::string text;
    for (const auto& cmp : comparisons) text += (text.empty() ? "" : " and ") + cmp["text"].get<std::string>();
    out.push_back({{"name", c.name},
                   {"origin", at.path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column)},
                   {"text", text},
                   {"comparisons", comparisons}});
  }
  if (!x.claims.empty() && inst.seeds.size() < 2)
    warning(m, x.claims.front().range,
            "experiment '" + x.name + "' states claims but runs one seed: with fewer than 2 seeds every claim "
            "is inconclusive")
        .help("seeds = [1, 2, 3]");
  return out;
}

}  // namespace sftx
