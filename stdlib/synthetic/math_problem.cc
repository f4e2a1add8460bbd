#include "stdlib/synthetic/math_problem.h"

#include <algorithm>
#include <stdexcept>

#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {

int MathProblem::step(std::vector<std::string> phrasings, char op, std::vector<int64_t> xs, std::vector<int> after) {
  if (xs.size() < 2) throw std::logic_error("a math step needs two operands");
  int64_t r = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) {
    switch (op) {
      case '+': r += xs[i]; break;
      case '-': r -= xs[i]; break;
      case '*': r *= xs[i]; break;
      case '/':
        if (xs[i] == 0 || r % xs[i] != 0) throw std::logic_error("inexact division in a math template");
        r /= xs[i];
        break;
      default: throw std::logic_error("unknown operator in a math template");
    }
  }
  MathStep s;
  s.phrasings = std::move(phrasings);
  s.op = op;
  s.xs = std::move(xs);
  s.result = r;
  s.after = std::move(after);
  steps.push_back(std::move(s));
  return static_cast<int>(steps.size()) - 1;
}

std::string render_calc(const MathStep& s, bool annotated) {
  std::vector<std::string> xs;
  for (int64_t x : s.xs) xs.push_back(std::to_string(x));
  const std::string r = std::to_string(s.result);
  if (annotated) {
    const std::string e = join(xs, std::string(1, s.op));
    return e + " = <<" + e + "=" + r + ">>" + r;
  }
  return join(xs, std::string(" ") + s.op + " ") + " = " + r;
}

namespace {

const char* const kOpeners[] = {"Let's solve this step by step.", "We can work this out in a few steps.",
                                "Let's break the problem down.", "Here is the reasoning."};

std::vector<size_t> random_order(const MathProblem& p, Rng& rng) {
  const size_t n = p.steps.size();
  std::vector<size_t> order;
  std::vector<bool> done(n, false);
  while (order.size() + 1 < n) {  // the final step always comes last
    std::vector<size_t> ready;
    for (size_t i = 0; i + 1 < n; ++i) {
      if (done[i]) continue;
      bool ok = true;
      for (int d : p.steps[i].after) ok = ok && done[static_cast<size_t>(d)];
      if (ok) ready.push_back(i);
    }
    if (ready.empty()) throw std::logic_error("cyclic steps in a math template");
    const size_t pick = ready[rng.below(ready.size())];
    done[pick] = true;
    order.push_back(pick);
  }
  order.push_back(n - 1);
  return order;
}

std::string render_one(const MathProblem& p, Rng& rng, bool annotated) {
  std::vector<std::string> lines;
  if (rng.chance(1, 3)) lines.push_back(rng.pick(kOpeners));
  for (size_t i : random_order(p, rng)) {
    const MathStep& s = p.steps[i];
    lines.push_back(replace_all(rng.pick(s.phrasings), "{calc}", render_calc(s, annotated)));
  }
  const std::string answer = std::to_string(p.answer());
  if (!p.conclusions.empty() && rng.chance(1, 2)) lines.push_back(replace_all(rng.pick(p.conclusions), "{answer}", answer));
  lines.push_back("#### " + answer);
  return join(lines, "\n");
}

}  // namespace

std::vector<std::string> render_solutions(const MathProblem& p, Rng& rng, int count) {
  std::vector<std::string> out;
  for (int attempt = 0; static_cast<int>(out.size()) < count && attempt < 50 * count; ++attempt) {
    // Alternate calculation styles so paths differ in form as well as in order and wording.
    std::string s = render_one(p, rng, out.size() % 2 == 0);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  while (static_cast<int>(out.size()) < count) out.push_back(out.front());  // only problems with one wording
  return out;
}

}  // namespace sftx::rt::synth
