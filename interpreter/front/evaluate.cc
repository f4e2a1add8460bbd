#include "interpreter/front/evaluate.h"

#include "interpreter/front/data_expr.h"
#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/evaluator_impl.h"

namespace sftx {

// ---------------------------------------------------------------- the public face

Evaluator::Evaluator(const LoadedProgram& program, const ProjectConfig* config, const Profile* profile,
                     Diagnostics& diags)
    : impl_(std::make_unique<Impl>(program, config, profile, diags)) {}
Evaluator::~Evaluator() = default;
void Evaluator::check_all() { impl_->check_all(); }
const std::vector<ExperimentInstance>& Evaluator::experiments() const { return impl_->experiments; }

Evaluator::Impl::Impl(const LoadedProgram& p, const ProjectConfig* c, const Profile* prof, Diagnostics& d)
    : program(p), config(c), profile(prof), diags(d) {}

// ---------------------------------------------------------------- diagnostics

Diagnostic& Evaluator::Impl::error(const Module& m, SourceRange r, std::string message) {
  LineColumn lc = m.source.location(r.begin);
  if (!reported.emplace(m.path, lc.line, lc.column, message).second) {
    discarded = Diagnostic{};
    return discarded;
  }
  return diags.error(m.source, r, std::move(message));
}

Diagnostic& Evaluator::Impl::warning(const Module& m, SourceRange r, std::string message) {
  LineColumn lc = m.source.location(r.begin);
  if (!reported.emplace(m.path, lc.line, lc.column, message).second) {
    discarded = Diagnostic{};
    return discarded;
  }
  return diags.warning(m.source, r, std::move(message));
}

NodeOrigin Evaluator::Impl::origin(const Module& m, SourceRange r) const {
  LineColumn lc = m.source.location(r.begin);
  return {m.path, lc.line, lc.column};
}

// ---------------------------------------------------------------- expressions

namespace {
const char* article(Type t) {
  switch (t) {
    case Type::experiment: return "an";
    default: return "a";
  }
}
std::string a_type(Type t) { return std::string(article(t)) + " " + type_name(t); }
}  // namespace

namespace {
// Counts the values inside `v`, stopping early once `limit` is passed.
long long value_size(const Value& v, long long limit) {
  long long n = 1;
  for (const auto& item : v.list) {
    if (n > limit) break;
    n += value_size(item, limit - n);
  }
  for (const auto& [k, item] : v.record) {
    if (n > limit) break;
    n += value_size(item, limit - n);
  }
  return n;
}

struct DepthGuard {
  explicit DepthGuard(int& d) : depth(d) { ++depth; }
  ~DepthGuard() { --depth; }
  int& depth;
};
}  // namespace

bool Evaluator::Impl::spend_list_budget(const Value& v, const Module& m, SourceRange r) {
  list_budget -= value_size(v, list_budget + 1);
  if (list_budget >= 0) return true;
  if (!list_budget_reported) {
    list_budget_reported = true;
    error(m, r, "lists too large: the program builds more than " + std::to_string(kMaxListElements) +
                    " list elements");
  }
  return false;
}

Value Evaluator::Impl::eval(const Expr& e, const Env& env) {
  const Module& m = *env.module;
  DepthGuard guard(eval_depth);
  if (eval_depth > kMaxEvalDepth) {
    error(m, e.range, "expression nested too deeply (through " + std::to_string(kMaxEvalDepth) +
                          " levels of names and operators)");
    return Value::unknown();
  }
  if (const auto* n = e.as<Number>()) {
    std::string why;
    auto r = Rational::parse_literal(n->text, &why);
    if (!r) {
      error(m, e.range, why);
      return Value::unknown();
    }
    return Value::of_number(*r);
  }
  if (const auto* s = e.as<String>()) return Value::of_string(s->value);
  if (const auto* b = e.as<Bool>()) return Value::of_bool(b->value);
  if (const auto* n = e.as<Name>()) return eval_name(e, *n, env);
  if (const auto* l = e.as<List>()) return eval_list(*l, env);
  if (const auto* r = e.as<Record>()) {
    Value v;
    v.type = Type::record;
    std::set<std::string> seen;
    for (const auto& f : r->fields) {
      if (!seen.insert(f.name).second) error(m, f.name_range, "field '" + f.name + "' is given twice");
      v.record.emplace_back(f.name, eval(*f.value, env));
    }
    return v;
  }
  if (const auto* c = e.as<Call>()) return eval_call(e, *c, env, nullptr);
  if (const auto* b = e.as<Binary>()) return eval_binary(e, *b, env);
  if (const auto* u = e.as<Unary>()) {
    Value v = eval(*u->operand, env);
    if (v.is_unknown()) return v;
    if (v.type != Type::number) {
      error(m, u->operand->range, "'-' needs a Number, not " + a_type(v.type));
      return Value::unknown();
    }
    return Value::of_number(v.number.negated());
  }
  if (const auto* p = e.as<Pipe>()) {
    Arg piped{eval(*p->lhs, env), p->lhs->range, "", {}};
    const auto* call = p->call->as<Call>();
    if (!call) return Value::unknown();  // the parser guarantees a Call
    return eval_call(*p->call, *call, env, &piped);
  }
  if (const auto* mem = e.as<Member>()) return eval_member(e, *mem, env);
  if (const auto* c = e.as<Comprehension>()) return eval_comprehension(e, *c, env);
  return Value::unknown();
}

std::vector<std::string> Evaluator::Impl::visible_names(const Env& env) const {
  std::vector<std::string> names;
  for (const Env* e = &env; e; e = e->parent)
    for (const auto& [name, v] : e->locals) names.push_back(name);
  if (env.plan)
    for (const auto& s : env.plan->stages) names.push_back(s.name);
  for (const auto& [name, def] : env.module->scope) names.push_back(name);
  return names;
}

Value Evaluator::Impl::eval_name(const Expr& e, const Name& n, const Env& env) {
  const Module& m = *env.module;
  if (const Value* v = env.local(n.name)) return *v;
  if (env.plan) {
    const auto& stages = env.plan->stages;
    for (std::size_t i = 0; i < stages.size(); ++i) {
      if (stages[i].name != n.name) continue;
      int idx = static_cast<int>(i);
      if (env.current_stage < 0) {
        error(m, e.range, "stage '" + n.name + "' cannot be used in the plan's `from`");
        return Value::unknown();
      }
      if (idx == env.current_stage) {
        error(m, e.range, "stage '" + n.name + "' refers to itself")
            .note("a stage can use the data of the stages before it, not its own");
        return Value::unknown();
      }
      if (idx > env.current_stage) {
        error(m, e.range,
              "stage '" + n.name + "' is defined after '" + stages[static_cast<std::size_t>(env.current_stage)].name +
                  "'")
            .note("stages run in order; a stage can use only the stages before it");
        return Value::unknown();
      }
      auto model = std::make_shared<ModelValue>();
      model->stage = idx;
      model->label = n.name;
      if (env.stages && i < env.stages->size()) model->stage_data = (*env.stages)[i].data;
      return Value::of_model(model);
    }
  }
  auto it = m.scope.find(n.name);
  if (it != m.scope.end()) {
    const Definition& def = *it->second;
    used.insert(&def);
    if (def.kind == Definition::Kind::binding) return global_value(def);
    if (def.kind == Definition::Kind::plan) {
      if (def.plan->params.empty()) return Value::of_plan(instantiate(def, {}, origin(m, e.range)));
      Value v;
      v.type = Type::plan_def;
      v.plan_def = PlanDef{def.plan, def.module};
      return v;
    }
  }
  if (find_builtin(n.name)) {
    error(m, e.range, "'" + n.name + "' is a built-in function, not a value")
        .help("call it: " + find_builtin(n.name)->synopsis());
    return Value::unknown();
  }
  if (m.experiments.count(n.name)) {
    error(m, e.range, "'" + n.name + "' is an experiment; experiments cannot be used in expressions");
    return Value::unknown();
  }
  auto& d = error(m, e.range, "unknown name '" + n.name + "'");
  std::string hint = did_you_mean(n.name, visible_names(env));
  if (!hint.empty()) d.help(hint);
  return Value::unknown();
}

Value Evaluator::Impl::global_value(const Definition& def) {
  auto done = globals.find(&def);
  if (done != globals.end()) return done->second;
  const Module& m = *def.module;
  if (evaluating.count(&def)) {
    error(m, def.name_range, "'" + def.name + "' is defined in terms of itself")
        .note("a name's value cannot depend on that name");
    return Value::unknown();
  }
  if (depth >= kMaxDefinitionDepth) {
    error(m, def.name_range, "definitions nested too deeply (more than " + std::to_string(kMaxDefinitionDepth) +
                                 " names each defined through the next)");
    return Value::unknown();
  }
  evaluating.insert(&def);
  ++depth;
  Env env;
  env.module = &m;
  Value v = eval(def.binding->value, env);
  --depth;
  evaluating.erase(&def);
  if (v.type == Type::data) v.data = data_named(v.data, def.name);
  if (v.type == Type::model && v.model && !v.model->is_stage()) {
    auto named = std::make_shared<ModelValue>(*v.model);
    named->label = def.name;
    v.model = named;
  }
  globals[&def] = v;
  return v;
}

DataPtr Evaluator::Impl::require_data(const Value& v, const Module& m, SourceRange r) {
  if (v.type == Type::data) return v.data;
  if (v.is_unknown()) return nullptr;
  if (v.type == Type::model) {
    auto& d = error(m, r, "expected Data, found a Model: a Model is never Data");
    if (v.model && v.model->is_stage())
      d.help("use " + std::string(m.source.slice(r)) + ".data for the data this stage trained on");
    return nullptr;
  }
  if (v.type == Type::plan || v.type == Type::plan_def) {
    error(m, r, "expected Data, found a Plan").help("a stage's data is PLAN.stageN.data");
    return nullptr;
  }
  error(m, r, "expected Data, found " + a_type(v.type));
  return nullptr;
}

Value Evaluator::Impl::eval_binary(const Expr& e, const Binary& b, const Env& env) {
  const Module& m = *env.module;
  Value lhs = eval(*b.lhs, env);
  Value rhs = eval(*b.rhs, env);
  if (lhs.is_unknown() || rhs.is_unknown()) {
    // Still diagnose a Model used as Data next to an unknown.
    if (b.op == '*' && lhs.type == Type::model) require_data(lhs, m, b.lhs->range);
    if (b.op == '*' && rhs.type == Type::model) require_data(rhs, m, b.rhs->range);
    return Value::unknown();
  }
  std::string why;
  if (lhs.type == Type::number && rhs.type == Type::number) {
    std::optional<Rational> r;
    switch (b.op) {
      case '*': r = Rational::mul(lhs.number, rhs.number, &why); break;
      case '/': r = Rational::div(lhs.number, rhs.number, &why); break;
      case '+': r = Rational::add(lhs.number, rhs.number, &why); break;
      case '-': r = Rational::sub(lhs.number, rhs.number, &why); break;
      default: break;
    }
    if (!r) {
      error(m, b.op == '/' && why == "division by zero" ? b.rhs->range : e.range, why);
      return Value::unknown();
    }
    return Value::of_number(*r);
  }
  if (b.op == '+' && lhs.type == Type::list && rhs.type == Type::list) {
    // List concatenation: `[dmt(k) for k in ks] + [multitask]`. The result is a new list,
    // so its elements count against the list budget (a doubling `x + x` chain stays bounded).
    Value out = std::move(lhs);
    for (auto& item : rhs.list) out.list.push_back(std::move(item));
    if (!spend_list_budget(out, m, e.range)) return Value::unknown();
    return out;
  }
  if (b.op == '*') {
    // k * d or d * k
    bool number_left = lhs.type == Type::number;
    bool number_right = rhs.type == Type::number;
    if (number_left || number_right) {
      const Value& k = number_left ? lhs : rhs;
      const Value& dv = number_left ? rhs : lhs;
      const Expr& k_expr = number_left ? *b.lhs : *b.rhs;
      const Expr& d_expr = number_left ? *b.rhs : *b.lhs;
      DataPtr d = require_data(dv, m, d_expr.range);
      bool k_ok = true;
      if (k.number.sign() < 0) {
        error(m, k_expr.range, "negative ratio " + k.number.str() + ": a ratio must be at least 0");
        k_ok = false;
      } else if (!k.number.to_fraction()) {
        error(m, k_expr.range, "ratio " + k.number.str() + " does not fit in 64-bit integers");
        k_ok = false;
      }
      if (!d || !k_ok) return Value::unknown();
      BoundArgs none;
      return Value::of_data(data_scale(k.number, d, data_seed(none, env), origin(m, e.range)));
    }
    if (lhs.type == Type::data && rhs.type == Type::data) {
      error(m, e.range, "cannot multiply Data by Data").help("scale with a Number: 1/4 * data");
      return Value::unknown();
    }
    if (lhs.type == Type::model) {
      require_data(lhs, m, b.lhs->range);
      return Value::unknown();
    }
    if (rhs.type == Type::model) {
      require_data(rhs, m, b.rhs->range);
      return Value::unknown();
    }
  }
  auto& d = error(m, b.op_range,
                  std::string("'") + b.op + "' cannot combine " + a_type(lhs.type) + " and " + a_type(rhs.type));
  if (b.op == '+' && lhs.type == Type::data && rhs.type == Type::data) d.help("combine data with mix(a, b)");
  else if (b.op == '+' && (lhs.type == Type::list || rhs.type == Type::list))
    d.help("'+' joins two lists: put a single item in brackets, as in plans + [multitask]");
  else if (b.op == '/' && lhs.type == Type::data && rhs.type == Type::number)
    d.help("`d * 1/4` reads as `(d * 1) / 4`; write `1/4 * d` or `d * (1/4)`");
  else if (lhs.type == Type::data || rhs.type == Type::data) d.help("data is scaled with '*': 1/4 * data");
  return Value::unknown();
}

Value Evaluator::Impl::eval_member(const Expr& e, const Member& mem, const Env& env) {
  const Module& m = *env.module;
  Value obj = eval(*mem.object, env);
  if (obj.is_unknown()) return obj;
  if (obj.type == Type::plan && obj.plan) {
    const PlanInstance& inst = *obj.plan;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < inst.def.decl->stages.size(); ++i) {
      const auto& s = inst.def.decl->stages[i];
      names.push_back(s.name);
      if (s.name != mem.field) continue;
      auto model = std::make_shared<ModelValue>();
      model->instance = obj.plan;
      model->stage = static_cast<int>(i);
      model->label = inst.label + "." + s.name;
      if (i < inst.stages.size()) model->stage_data = inst.stages[i].data;
      return Value::of_model(model);
    }
    auto& d = error(m, mem.field_range, "plan '" + inst.def.decl->name + "' has no stage '" + mem.field + "'");
    std::string hint = did_you_mean(mem.field, names);
    if (!hint.empty()) d.help(hint);
    return Value::unknown();
  }
  if (obj.type == Type::plan_def) {
    const PlanDecl& p = *obj.plan_def.decl;
    error(m, mem.object->range,
          "plan '" + p.name + "' takes " + std::to_string(p.params.size()) +
              (p.params.size() == 1 ? " argument" : " arguments"))
        .help("give them first: " + p.name + "(...)." + mem.field);
    return Value::unknown();
  }
  if (obj.type == Type::model && obj.model) {
    if (obj.model->is_stage()) {
      if (mem.field == "data") {
        if (!obj.model->stage_data) return Value::unknown();
        return Value::of_data(obj.model->stage_data);
      }
      auto& d = error(m, mem.field_range, "a stage has no field '" + mem.field + "'");
      d.help("a stage's only field is .data, the data it trained on");
      return Value::unknown();
    }
    error(m, mem.field_range, "a base model has no field '" + mem.field + "'")
        .note("only the stages of a plan have .data");
    return Value::unknown();
  }
  error(m, mem.field_range, a_type(obj.type) + " has no field '" + mem.field + "'");
  return Value::unknown();
}

Value Evaluator::Impl::eval_list(const List& l, const Env& env) {
  Value v;
  v.type = Type::list;
  for (const auto& item : l.items) {
    v.list.push_back(eval(item, env));
    if (!spend_list_budget(v.list.back(), *env.module, item.range)) return Value::unknown();
  }
  return v;
}

Value Evaluator::Impl::eval_comprehension(const Expr& e, const Comprehension& c, const Env& env) {
  const Module& m = *env.module;
  Value iterable = eval(*c.iterable, env);
  if (iterable.is_unknown()) {
    Env inner;
    inner.module = env.module;
    inner.parent = &env;
    inner.locals[c.var] = Value::unknown();
    eval(*c.element, inner);  // still check the element expression
    return Value::unknown();
  }
  if (iterable.type != Type::list) {
    error(m, c.iterable->range, "a comprehension iterates over a List, not " + a_type(iterable.type));
    return Value::unknown();
  }
  Value out;
  out.type = Type::list;
  for (const auto& item : iterable.list) {
    Env inner;
    inner.module = env.module;
    inner.parent = &env;
    inner.plan = env.plan;
    inner.stages = env.stages;
    inner.current_stage = env.current_stage;
    inner.hyper = env.hyper;
    inner.locals[c.var] = item;
    out.list.push_back(eval(*c.element, inner));
    if (!spend_list_budget(out.list.back(), m, c.element->range)) return Value::unknown();
  }
  (void)e;
  return out;
}

Value Evaluator::Impl::eval_call(const Expr& e, const Call& c, const Env& env, const Arg* piped) {
  const Module& m = *env.module;
  std::vector<Arg> args;
  if (piped) args.push_back(*piped);
  for (const auto& a : c.args) args.push_back(Arg{eval(a, env), a.range, "", {}});
  for (const auto& k : c.keywords) args.push_back(Arg{eval(*k.value, env), k.value->range, k.name, k.name_range});

  auto it = m.scope.find(c.callee);
  if (it != m.scope.end() && it->second->kind == Definition::Kind::plan) {
    used.insert(it->second);
    if (piped) {
      error(m, c.callee_range, "'|>' applies a data operation, and '" + c.callee + "' is a plan");
      return Value::unknown();
    }
    return call_plan(*it->second, e, std::move(args), env);
  }
  if (const BuiltinFunction* f = find_builtin(c.callee)) {
    if (piped && (f->params.empty() || !f->params.front().types.contains(Type::data))) {
      error(m, c.callee_range, "'" + c.callee + "' does not take data, so it cannot follow '|>'");
      return Value::unknown();
    }
    return call_builtin(*f, e, c.callee_range, std::move(args), env);
  }
  if (env.local(c.callee) || (it != m.scope.end())) {
    Value v = env.local(c.callee) ? *env.local(c.callee) : Value::unknown();
    if (it != m.scope.end()) used.insert(it->second);
    error(m, c.callee_range, "'" + c.callee + "' is not a function or a plan");
    return Value::unknown();
  }
  if (metric_call_sites.count(&e)) {
    const std::vector<std::string> metrics = known_metrics();
    auto& d = error(m, c.callee_range, "unknown metric '" + c.callee + "'");
    std::string hint = did_you_mean(c.callee, metrics);
    if (!hint.empty()) d.help(hint);
    d.note("known metrics: " + join_names(metrics) + " (sftx builtins NAME shows one's options)");
    return Value::unknown();
  }
  std::vector<std::string> callables = builtin_names();
  for (const auto& [name, def] : m.scope)
    if (def->kind == Definition::Kind::plan) callables.push_back(name);
  auto& d = error(m, c.callee_range, "unknown function '" + c.callee + "'");
  std::string hint = did_you_mean(c.callee, callables);
  if (!hint.empty()) d.help(hint);
  return Value::unknown();
}

}  // namespace sftx
