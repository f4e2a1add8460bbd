// Evaluation into the experiment graph: every data, tokenizer, pack, train, eval and report
// node of the chosen experiments once, keyed by the SHA-256 of its canonical description
// (stage_key.h). Identical nodes written anywhere collapse into one: the shared stage 1 of
// a k sweep is one train node, used by every dmt(k).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "grammar/diagnostics.h"
#include "interpreter/front/check.h"
#include "interpreter/front/plan_graph.h"

namespace sftx {

// `experiment` empty: every experiment of the main file. An unknown name is an error (with
// did-you-mean); a source file that does not exist yet is a warning (its key changes when
// it appears). `only_plans` non-empty: only the plan instances with these labels (as the
// table prints them, e.g. "dmt(1/4)"), in every chosen experiment; a label no chosen
// experiment has is an error. The nodes of the plans kept have the keys they have in the
// whole graph, and a claim naming a plan left out is reported inconclusive (missing values).
// nullopt on errors.
std::optional<PlanGraph> build_plan_graph(const CheckedProgram& program, const std::string& experiment,
                                          Diagnostics& diags, const std::vector<std::string>& only_plans = {});

}  // namespace sftx
