// A multi-step arithmetic word problem and its worded solutions (GSM8K style), shared by the
// `math` (training, several reasoning paths per question as in RFT) and `gsm8k_test` kinds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stdlib/synthetic/prng.h"

namespace sftx::rt::synth {

struct MathStep {
  std::vector<std::string> phrasings;  // each holds "{calc}" where the calculation goes
  char op = '+';                        // + - * / applied left to right over xs
  std::vector<int64_t> xs;
  int64_t result = 0;
  std::vector<int> after;               // steps whose results this one uses
};

struct MathProblem {
  std::string question;
  std::vector<MathStep> steps;          // the last step's result is the answer
  std::vector<std::string> conclusions; // each holds "{answer}"
  int64_t answer() const { return steps.back().result; }

  // Adds a step; computes its result (division must be exact: a template bug otherwise).
  int step(std::vector<std::string> phrasings, char op, std::vector<int64_t> xs, std::vector<int> after = {});
  int64_t value(int i) const { return steps.at(static_cast<size_t>(i)).result; }
};

// "48/2 = <<48/2=24>>24" (GSM8K's calculator annotation) or "48 / 2 = 24".
std::string render_calc(const MathStep& s, bool annotated);

// `count` distinct solutions: steps in a random order that respects dependencies, random
// phrasings, annotated or plain calculations, an optional opener and conclusion, "#### N".
std::vector<std::string> render_solutions(const MathProblem& p, Rng& rng, int count);

using MathTemplate = MathProblem (*)(Rng&);
const std::vector<MathTemplate>& math_train_templates();
const std::vector<MathTemplate>& math_test_templates();

}  // namespace sftx::rt::synth
