// Evaluation: expressions to values, plans to instances with resolved stages, experiments
// to their plan instances and metrics. The checker is this evaluator run over every
// definition: type errors, arity, keywords, unknown names and vocabularies are found while
// evaluating, reported once each (an error inside a plan body shows up once, however many
// instances there are), and an erroneous expression evaluates to `unknown` so that one
// mistake does not cause a cascade.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "grammar/diagnostics.h"
#include "interpreter/front/config.h"
#include "interpreter/front/module.h"
#include "interpreter/front/value.h"

namespace sftx {

struct ExperimentInstance {
  std::string name;
  const Module* module = nullptr;
  ModelPtr base;                          // null when every plan has its own `from`
  std::vector<PlanInstancePtr> plans;
  std::vector<MetricPtr> metrics;
  NodeOrigin origin;
  // `seeds = [...]`: each plan instance is trained and evaluated once per seed (the `seed`
  // hyperparameter of all its stages). Empty: one run with the stages' own seeds.
  std::vector<long long> seeds;
  // `expect "..." { ... }`, checked and normalised (interpreter/exec/claims.h describes the shape).
  nlohmann::json claims = nlohmann::json::array();
};

class Evaluator {
 public:
  // `profile` may be null (no --profile); `config` may be null (no sftx.toml).
  Evaluator(const LoadedProgram& program, const ProjectConfig* config, const Profile* profile, Diagnostics& diags);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Checks every definition of every file (plans once with unknown arguments) and evaluates
  // the main file's experiments. Warnings for unused definitions of the main file.
  void check_all();

  // The main file's experiments, evaluated (after check_all()).
  const std::vector<ExperimentInstance>& experiments() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sftx
