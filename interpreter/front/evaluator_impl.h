// Internal: the evaluator's state and its parts, shared by evaluate.cc (expressions),
// eval_call.cc (built-in calls), eval_hyper.cc (hyperparameters), eval_plan.cc (plan calls and
// instances), eval_experiment.cc (experiments), eval_claims.cc (claims) and eval_check_all.cc
// (the whole-program check).
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "interpreter/front/evaluate.h"
#include "stdlib/builtins.h"

namespace sftx {

inline constexpr int kMaxDefinitionDepth = 150;
inline constexpr int kMaxEvalDepth = 1000;
inline constexpr long long kMaxListElements = 1000000;

// Lexical environment of an expression.
struct Env {
  const Module* module = nullptr;
  std::map<std::string, Value> locals;     // plan parameters, comprehension variables
  const Env* parent = nullptr;
  // Inside a plan body:
  const PlanDecl* plan = nullptr;
  const std::vector<StageInstance>* stages = nullptr;  // the stages evaluated so far
  int current_stage = -1;                  // index of the stage being evaluated; -1 in `from`
  const HyperMap* hyper = nullptr;         // hyperparameters in effect (data_seed); null: the file's

  const Value* local(const std::string& name) const {
    for (const Env* e = this; e; e = e->parent) {
      auto it = e->locals.find(name);
      if (it != e->locals.end()) return &it->second;
    }
    return nullptr;
  }
};

// One argument of a call, evaluated, with where it was written.
struct Arg {
  Value value;
  SourceRange range;
  std::string keyword;                     // empty for positional
  SourceRange keyword_range;
};

// A call's arguments matched to a built-in's parameters.
struct BoundArgs {
  std::map<std::string, Arg> by_name;      // given ones only
  std::vector<Arg> variadic;
  bool ok = true;                          // false: an argument error was reported
  bool has_unknown = false;                // an argument is unknown (an earlier error)
  const Arg* get(const std::string& name) const {
    auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : &it->second;
  }
};

class Evaluator::Impl {
 public:
  Impl(const LoadedProgram& program, const ProjectConfig* config, const Profile* profile, Diagnostics& diags);

  void check_all();
  std::vector<ExperimentInstance> experiments;

  // ---- diagnostics (each distinct one reported once) ----
  Diagnostic& error(const Module& m, SourceRange r, std::string message);
  Diagnostic& warning(const Module& m, SourceRange r, std::string message);
  NodeOrigin origin(const Module& m, SourceRange r) const;

  // ---- expressions (evaluate.cc) ----
  Value eval(const Expr& e, const Env& env);
  Value eval_name(const Expr& e, const Name& n, const Env& env);
  Value eval_binary(const Expr& e, const Binary& b, const Env& env);
  Value eval_member(const Expr& e, const Member& m, const Env& env);
  Value eval_call(const Expr& e, const Call& c, const Env& env, const Arg* piped);
  Value eval_list(const List& l, const Env& env);
  Value eval_comprehension(const Expr& e, const Comprehension& c, const Env& env);
  Value global_value(const Definition& def);
  // Reports why `v` is not Data ("a Model is never Data", with help for a stage); returns
  // the data, or null (for unknown too).
  DataPtr require_data(const Value& v, const Module& m, SourceRange r);
  std::vector<std::string> visible_names(const Env& env) const;

  // ---- built-in calls (eval_call.cc) ----
  Value call_builtin(const BuiltinFunction& f, const Expr& call, SourceRange callee_range, std::vector<Arg> args,
                     const Env& env);
  BoundArgs bind(const BuiltinFunction& f, SourceRange call_range, std::vector<Arg> args, const Env& env);
  bool check_arg(const BuiltinFunction& f, const BuiltinParam& p, const Arg& a, const Env& env);
  long long data_seed(const BoundArgs& args, const Env& env);
  long long synthetic_size(const std::string& kind, long long written) const;
  // The level of synthetic(kind, ...): the profile's synthetic_level where the kind has it,
  // else the one written (or "paper"). False, with a located error, for a kind without it.
  bool synthetic_level(const std::string& kind, const Arg* written, const Module& m, std::string& level);

  // ---- hyperparameters (eval_hyper.cc) ----
  const HyperMap& module_hyper(const Module& m);
  bool set_hyper(HyperMap& map, const std::string& name, const Value& v, const std::string& provenance,
                 const Module& m, SourceRange name_range, SourceRange value_range);
  void apply_profile(HyperMap& map);

  // ---- plan calls and instances (eval_plan.cc) ----
  Value call_plan(const Definition& def, const Expr& call, std::vector<Arg> args, const Env& env);
  PlanInstancePtr instantiate(const Definition& def, std::vector<Value> args, const NodeOrigin& at);

  // ---- experiments (eval_experiment.cc) ----
  ExperimentInstance eval_experiment(const Definition& def);

  // ---- seeds and claims of an experiment (eval_claims.cc) ----
  std::vector<long long> eval_seeds(const Field& f, const Module& m);
  nlohmann::json eval_claims(const ExperimentDecl& x, const Module& m, const ExperimentInstance& inst);
  nlohmann::json eval_claim_ref(const ClaimRef& r, const Module& m, const ExperimentInstance& inst, bool& ok);

  const LoadedProgram& program;
  const ProjectConfig* config;
  const Profile* profile;
  Diagnostics& diags;

  std::set<std::tuple<std::string, int, int, std::string>> reported;
  Diagnostic discarded;                    // returned for a diagnostic already reported
  // The calls written directly in an experiment's `eval = [...]`: an unknown function there
  // is an unknown metric, and the error lists the metrics.
  std::set<const Expr*> metric_call_sites;
  std::map<const Definition*, Value> globals;
  std::set<const Definition*> evaluating;
  std::set<const Definition*> used;
  std::map<const Module*, HyperMap> module_hypers;
  std::set<const Module*> hypers_in_progress;
  std::map<std::string, PlanInstancePtr> instances;  // by plan identity and rendered arguments
  std::set<const PlanDecl*> instantiating;
  int depth = 0;                            // of nested definition evaluation (bounded)
  int eval_depth = 0;                       // of nested eval() calls (bounded: no stack overflow)
  long long list_budget = kMaxListElements; // list elements a program may build in all
  bool list_budget_reported = false;
  bool spend_list_budget(const Value& v, const Module& m, SourceRange r);
  bool profile_checked = false;
};


}  // namespace sftx
