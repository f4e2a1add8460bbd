#include "run_outcome.h"

#include <fmt/core.h>

#include "interpreter/exec/claims.h"

namespace sftx::cli {

int print_run_outcome(const exec::RunPlanResult& result, const char* command) {
  for (const auto& x : result.experiments) {
    if (!x.markdown.empty()) fmt::print("\n## {}\n\n{}", x.name, x.markdown);
    if (!x.claims.empty()) {
      // Printed even when the table is missing (a failed node): those claims are inconclusive.
      fmt::print("\nclaims of {}:\n{}rule: {}\n", x.name, exec::claims_text(x.claims), exec::kClaimRule);
    }
    fmt::print(stderr, "run record: {}\n", (x.run_dir / "run.json").string());
  }
  if (result.ok) return 0;
  size_t failed = 0;
  for (const auto& r : result.runs) failed += r.status == exec::NodeStatus::failed;
  fmt::print(stderr, "{}: {} node(s) failed; see the errors above and run.json\n", command, failed);
  // Failures caused only by the input (a data file's broken line) are the user's to fix:
  // exit 1 as the contract (§8) says for a diagnosed user error; anything else is 3.
  bool only_input = failed > 0;
  for (const auto& r : result.runs)
    if (r.status == exec::NodeStatus::failed && !r.input_error) only_input = false;
  return only_input ? 1 : 3;
}

}  // namespace sftx::cli
