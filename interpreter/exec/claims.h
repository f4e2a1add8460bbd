// The claim checker: an experiment's claims (`expect "NAME" { ... }`, normalised by the front
// end, interpreter/front/eval_claims.cc) judged on a report table (report_table.h).
//
// The rule (kClaimRule; docs/language.md, "Claims"): for each comparison, the per-seed
// difference D_s = (claimed-larger side - claimed-smaller side), both sides evaluated at seed
// s (paired by seed); its mean and the 95% Student-t interval of the mean (n - 1 degrees of
// freedom). holds: the interval lies entirely above 0; fails: entirely below 0; inconclusive:
// it contains 0, or n < 2, or a referenced value is missing (a failed node) -- never a pass.
// `and`: holds if every comparison holds, fails if any fails, else inconclusive.
//
// Result, one per claim:
//   {"name", "text", "origin", "verdict": "holds"|"fails"|"inconclusive", "rule",
//    "n": the smallest n of its comparisons,
//    "comparisons": [{"text", "verdict", "n", "mean_difference" (null when n = 0),
//                     "ci95": [low, high] (null when n < 2),
//                     "differences": [{"seed", "difference"}], "missing": ["plan: column (seed s)"],
//                     "reason": why it is inconclusive (absent otherwise)}]}
#pragma once

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace sftx::exec {

inline constexpr const char* kClaimRule =
    "per seed s, D_s = claimed-larger side - claimed-smaller side (paired by seed); holds when the 95% "
    "Student-t interval of mean(D_s) (n-1 df) lies above 0, fails when it lies below 0, inconclusive when it "
    "contains 0, n < 2, every seed gives the same difference (no spread: the seeds did not vary it) or a "
    "value is missing; `and`: holds if all hold, fails if any fails";

// The 0.975 quantile of Student's t with `df` >= 1 degrees of freedom.
double t_quantile_975(int df);

// `claims`: the report node's params["claims"]; `table`: report_table(...) of the same node.
nlohmann::json check_claims(const nlohmann::json& claims, const nlohmann::json& table);

// One line per claim (and per comparison of an `and`), for the terminal and table.md:
//   holds         "sequential forgets maths": mean difference 0.1200, 95% CI [0.0800, 0.1600], n = 3
std::string claims_text(const nlohmann::json& verdicts);

// A Markdown section "## Claims" (empty string when there are none).
std::string claims_markdown(const nlohmann::json& verdicts);

}  // namespace sftx::exec
