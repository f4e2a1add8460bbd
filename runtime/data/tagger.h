// A rule-based keyword tagger: which records are about code or mathematics. The DMT paper's
// D2 ablation removes code- and maths-related samples from the general data; with this,
//   general |> tag |> filter(exclude_tags = ["code", "math"])
// writes that down. Rules, not a model: they are cheap, deterministic and readable here.
//   code: a ``` fence; a line starting with def/class/import/from..import/#include/function/
//         public/fn/SELECT; or a programming word (python, javascript, function, compile, ...).
//   math: "####" (GSM8K answers); "<<a*b=c>>" calculator marks; a number, an operator and a
//         number ("3 * 4", "12 / 5"; not dates like "2019-2020"); or a maths word (solve, calculate, equation, ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftx::rt {

// Sorted tag names for a text (possibly empty).
std::vector<std::string> rule_tags(std::string_view text);

}  // namespace sftx::rt
