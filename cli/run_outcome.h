// What `sftx run` and `sftx status` print at the end of a run (the tables, the claims, where
// the records are) and the exit status it means (contract §8): 0 every node done, 1 only
// failures caused by the input, 3 any other failure.
#pragma once

#include "interpreter/exec/run_plan.h"

namespace sftx::cli {

int print_run_outcome(const exec::RunPlanResult& result, const char* command);

}  // namespace sftx::cli
