// The whole-program check: every definition, plan and experiment evaluated once, so errors
// are found even in what no experiment uses; then the unused-definition warnings.
#include <algorithm>

#include "interpreter/front/evaluator_impl.h"

namespace sftx {

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
