// Micro2-level `math` and `gsm8k_test` (design in docs/micro-scale.md, "micro2"): one-step word
// problems with one-digit operands, two wordings for each of the four operations.
//
// Why this level exists: at `micro`, the maths-only baseline sat at 4% because the test used
// person names training never shows (a randomly initialised model cannot copy tokens it never
// saw) and arithmetic on unseen value tuples up to 200 (docs/reproduction.md, "Diagnosis").
// Here a test item differs from training in its (wording, operands) only:
//   - names and items come from one list shared by both sides, as GSM8K's test problems reuse
//     the training set's everyday names and objects;
//   - the split is by operation and operands: for about two operand pairs in five, one of the
//     operation's two wordings is held out for testing (so about one (wording, operands) tuple
//     in five is a test tuple) and the other wording keeps those operands in training. Every
//     arithmetic fact a test item needs is therefore in training under the other wording: the
//     test measures reading a problem the model has not seen and applying a fact it has,
//     which a ~1M-parameter model can do, rather than computing a fact it never saw;
//   - questions are short, so that any 13 consecutive words of a record hold two of its values
//     and `decontaminate` (13-gram) finds no overlap between the sides (a test checks it).
#include <stdexcept>

#include "stdlib/synthetic/micro.h"
#include "stdlib/synthetic/micro_split.h"
#include "stdlib/synthetic/prng.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

using Values = std::vector<int64_t>;
std::string S(int64_t x) { return std::to_string(x); }

struct Names {
  std::string a, b, items;
};

struct Problem {
  std::string question, solution;
  int64_t answer = 0;
};

// One operation: how its operands are drawn, its result, and its two wordings.
struct Operation {
  const char* name;
  Values (*draw)(Rng&);
  int64_t (*apply)(int64_t, int64_t);
  const char* wording[2];                                   // template names, for meta
  Problem (*build[2])(const Values&, const Names&, int64_t);  // (operands, names, result)
};

std::string calc(const Values& v, char op, int64_t c) { return S(v[0]) + " " + op + " " + S(v[1]) + " = " + S(c); }

// ---- addition: a, b in 1..9
Values draw_add(Rng& r) { return {r.range(1, 9), r.range(1, 9)}; }
Problem add_more(const Values& v, const Names& n, int64_t c) {
  return {n.a + " has " + S(v[0]) + " " + n.items + " and gets " + S(v[1]) + " more. How many does " + n.a + " have?",
          n.a + " has " + calc(v, '+', c) + " " + n.items + ".", c};
}
Problem add_colours(const Values& v, const Names& n, int64_t c) {
  return {n.a + " has " + S(v[0]) + " red " + n.items + " and " + S(v[1]) + " blue " + n.items + ". How many " +
              n.items + "?",
          n.a + " has " + calc(v, '+', c) + " " + n.items + ".", c};
}

// ---- subtraction: a = b + c with b, c in 1..9 (the inverse of an addition fact)
Values draw_sub(Rng& r) {
  const int64_t b = r.range(1, 9), c = r.range(1, 9);
  return {b + c, b};
}
Problem sub_give(const Values& v, const Names& n, int64_t c) {
  return {n.a + " has " + S(v[0]) + " " + n.items + " and gives " + S(v[1]) + " to " + n.b + ". How many are left?",
          n.a + " has " + calc(v, '-', c) + " " + n.items + " left.", c};
}
Problem sub_lose(const Values& v, const Names& n, int64_t c) {
  return {n.a + " had " + S(v[0]) + " " + n.items + " and lost " + S(v[1]) + ". How many does " + n.a + " have?",
          n.a + " has " + calc(v, '-', c) + " " + n.items + ".", c};
}

// ---- multiplication: a, b in 2..9
Values draw_mul(Rng& r) { return {r.range(2, 9), r.range(2, 9)}; }
Problem mul_bags(const Values& v, const Names& n, int64_t c) {
  return {n.a + " has " + S(v[0]) + " bags with " + S(v[1]) + " " + n.items + " in each. How many " + n.items + "?",
          n.a + " has " + calc(v, '*', c) + " " + n.items + ".", c};
}
Problem mul_cost(const Values& v, const Names& n, int64_t c) {
  return {n.a + " buys " + S(v[0]) + " " + n.items + " at " + S(v[1]) + " dollars each. How many dollars?",
          n.a + " spends " + calc(v, '*', c) + " dollars.", c};
}

// ---- division: a = b * c with b in 2..9, c in 1..9 (the inverse of a multiplication fact)
Values draw_div(Rng& r) {
  const int64_t b = r.range(2, 9), c = r.range(1, 9);
  return {b * c, b};
}
Problem div_boxes(const Values& v, const Names& n, int64_t c) {
  return {n.a + " puts " + S(v[0]) + " " + n.items + " into " + S(v[1]) + " equal boxes. How many in each box?",
          n.a + " puts " + calc(v, '/', c) + " " + n.items + " in each box.", c};
}
Problem div_share(const Values& v, const Names& n, int64_t c) {
  return {n.a + " shares " + S(v[0]) + " " + n.items + " equally among " + S(v[1]) + " friends. How many each?",
          "Each friend gets " + calc(v, '/', c) + " " + n.items + ".", c};
}

const std::vector<Operation>& operations() {
  static const std::vector<Operation> ops = {
      {"add", draw_add, [](int64_t a, int64_t b) { return a + b; }, {"add_more", "add_colours"}, {add_more, add_colours}},
      {"sub", draw_sub, [](int64_t a, int64_t b) { return a - b; }, {"sub_give", "sub_lose"}, {sub_give, sub_lose}},
      {"mul", draw_mul, [](int64_t a, int64_t b) { return a * b; }, {"mul_bags", "mul_cost"}, {mul_bags, mul_cost}},
      {"div", draw_div, [](int64_t a, int64_t b) { return a / b; }, {"div_boxes", "div_share"}, {div_boxes, div_share}},
  };
  return ops;
}

// Which wording of `op` is held out for these operands: 0 or 1 for about two pairs in five,
// -1 (both wordings train) otherwise. A fixed hash, independent of the seed.
int held_out_wording(const Operation& op, const Values& v) {
  uint64_t h = fnv1a(std::string("micro2-split:") + op.name);
  for (int64_t x : v) h = splitmix64_mix(h ^ static_cast<uint64_t>(x));
  const uint64_t r = h % 5;
  return r < 2 ? static_cast<int>(r) : -1;
}

Record micro2_math(MicroSplit side, Rng& rng, const std::string& question_id) {
  const Operation& op = rng.pick(operations());
  const int w = static_cast<int>(rng.below(2));
  Values v;
  for (int attempt = 0;; ++attempt) {
    if (attempt == 1000) throw std::logic_error(std::string("micro2 operation ") + op.name + " has no operands on this side");
    v = op.draw(rng);
    const bool test_tuple = held_out_wording(op, v) == w;
    if (test_tuple == (side == MicroSplit::test)) break;
  }
  const auto& names = micro_names(MicroSplit::train);  // shared by both sides at micro2
  const size_t ia = rng.below(names.size());
  size_t ib = rng.below(names.size() - 1);
  if (ib >= ia) ++ib;
  const Names n{names[ia], names[ib], rng.pick(micro_items())};
  const Problem p = op.build[w](v, n, op.apply(v[0], v[1]));
  Record r;
  r.messages = {{"user", p.question}, {"assistant", p.solution + "\n#### " + S(p.answer)}};
  r.meta = {{"answer", S(p.answer)}, {"question_id", question_id}, {"template", op.wording[w]}, {"values", v}};
  return r;
}

}  // namespace

int micro2_math_template_count() { return static_cast<int>(2 * operations().size()); }

Record micro2_math_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "micro2:math", static_cast<uint64_t>(index));
  return micro2_math(MicroSplit::train, rng, "micro2-math-q" + std::to_string(index));
}

Record micro2_gsm8k_test_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "micro2:gsm8k_test", static_cast<uint64_t>(index));
  return micro2_math(MicroSplit::test, rng, "micro2-gsm8k-test-" + std::to_string(index));
}

}  // namespace sftx::rt::synth
