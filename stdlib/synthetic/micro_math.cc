// Micro-level `math` and `gsm8k_test` (design in micro.h): twelve short word-problem templates
// with small numbers, solved one "a op b = c" sentence per step, ending with "#### N". Train and
// test use the same templates; value tuples are split by micro_split.h and names come from
// disjoint lists. Every sentence names a person, so every 13-word window of a record holds a
// name of its own side: training text and test text share no 13-gram.
#include <stdexcept>

#include "stdlib/synthetic/micro.h"
#include "stdlib/synthetic/micro_split.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

using Values = std::vector<int64_t>;
std::string S(int64_t x) { return std::to_string(x); }

// "a op b = c", checking that c stays a small whole number (a template bug otherwise).
std::string calc(int64_t a, char op, int64_t b, int64_t& out) {
  switch (op) {
    case '+': out = a + b; break;
    case '-': out = a - b; break;
    case '*': out = a * b; break;
    case '/':
      if (b == 0 || a % b != 0) throw std::logic_error("inexact division in a micro math template");
      out = a / b;
      break;
    default: throw std::logic_error("unknown operator in a micro math template");
  }
  if (out < 0 || out >= 200) throw std::logic_error("micro math value out of range: " + std::to_string(out));
  return S(a) + " " + op + " " + S(b) + " = " + S(out);
}

struct Problem {
  std::string question;
  std::vector<std::string> steps;
  int64_t answer = 0;
};

struct Names {
  std::string a, b, items;
};

struct Template {
  const char* name;
  Values (*draw)(Rng&);
  Problem (*build)(const Values&, const Names&);
};

// ---- one step
Values draw_add(Rng& r) { return {r.range(1, 20), r.range(1, 20)}; }
Problem add_more(const Values& v, const Names& n) {
  Problem p;
  p.question = n.a + " has " + S(v[0]) + " " + n.items + ". " + n.a + " buys " + S(v[1]) + " more " + n.items +
               ". How many " + n.items + " does " + n.a + " have now?";
  p.steps = {n.a + " has " + calc(v[0], '+', v[1], p.answer) + " " + n.items + "."};
  return p;
}

Values draw_give(Rng& r) {
  const int64_t a = r.range(2, 20);
  return {a, r.range(1, a - 1)};
}
Problem give_away(const Values& v, const Names& n) {
  Problem p;
  p.question = n.a + " has " + S(v[0]) + " " + n.items + ". " + n.a + " gives " + S(v[1]) + " " + n.items + " to " +
               n.b + ". How many " + n.items + " does " + n.a + " have left?";
  p.steps = {n.a + " has " + calc(v[0], '-', v[1], p.answer) + " " + n.items + " left."};
  return p;
}

Values draw_bags(Rng& r) { return {r.range(2, 9), r.range(2, 12)}; }
Problem bags(const Values& v, const Names& n) {
  Problem p;
  p.question = n.a + " has " + S(v[0]) + " bags. Each bag of " + n.a + " holds " + S(v[1]) + " " + n.items +
               ". How many " + n.items + " does " + n.a + " have?";
  p.steps = {n.a + " has " + calc(v[0], '*', v[1], p.answer) + " " + n.items + "."};
  return p;
}

Values draw_boxes(Rng& r) {
  const int64_t boxes = r.range(2, 9);
  return {boxes * r.range(1, 12), boxes};
}
Problem equal_boxes(const Values& v, const Names& n) {
  Problem p;
  p.question = n.a + " puts " + S(v[0]) + " " + n.items + " into " + S(v[1]) + " equal boxes. How many " + n.items +
               " does " + n.a + " put in each box?";
  p.steps = {n.a + " puts " + calc(v[0], '/', v[1], p.answer) + " " + n.items + " in each box."};
  return p;
}

Values draw_cost(Rng& r) { return {r.range(2, 9), r.range(2, 15)}; }
Problem cost(const Values& v, const Names& n) {
  Problem p;
  p.question = n.a + " buys " + S(v[0]) + " " + n.items + " for " + S(v[1]) + " dollars each. How many dollars does " +
               n.a + " spend?";
  p.steps = {n.a + " spends " + calc(v[0], '*', v[1], p.answer) + " dollars."};
  return p;
}

// ---- two steps
Values draw_buy_give(Rng& r) {
  const int64_t a = r.range(1, 20), b = r.range(1, 20);
  return {a, b, r.range(1, std::min<int64_t>(20, a + b - 1))};
}
Problem buy_then_give(const Values& v, const Names& n) {
  Problem p;
  int64_t x = 0;
  p.question = n.a + " has " + S(v[0]) + " " + n.items + ". " + n.a + " buys " + S(v[1]) + " more " + n.items +
               ". Then " + n.a + " gives " + S(v[2]) + " " + n.items + " to " + n.b + ". How many " + n.items +
               " does " + n.a + " have now?";
  p.steps = {n.a + " has " + calc(v[0], '+', v[1], x) + " " + n.items + ".",
             "After giving, " + n.a + " has " + calc(x, '-', v[2], p.answer) + " " + n.items + "."};
  return p;
}

Values draw_together(Rng& r) { return {r.range(1, 20), r.range(1, 20)}; }
Problem together(const Values& v, const Names& n) {
  Problem p;
  int64_t x = 0;
  p.question = n.a + " has " + S(v[0]) + " " + n.items + ". " + n.b + " has " + S(v[1]) + " more " + n.items +
               " than " + n.a + ". How many " + n.items + " do " + n.a + " and " + n.b + " have together?";
  p.steps = {n.b + " has " + calc(v[0], '+', v[1], x) + " " + n.items + ".",
             n.a + " and " + n.b + " have " + calc(v[0], '+', x, p.answer) + " " + n.items + "."};
  return p;
}

Values draw_change(Rng& r) {
  const int64_t a = r.range(2, 5), b = r.range(2, 9);
  return {a, b, a * b < 20 ? 20 : 50};
}
Problem change(const Values& v, const Names& n) {
  Problem p;
  int64_t x = 0;
  p.question = n.a + " buys " + S(v[0]) + " " + n.items + " for " + S(v[1]) + " dollars each. " + n.a +
               " pays with " + S(v[2]) + " dollars. How much change does " + n.a + " get?";
  p.steps = {n.a + " spends " + calc(v[0], '*', v[1], x) + " dollars.",
             n.a + " gets " + calc(v[2], '-', x, p.answer) + " dollars in change."};
  return p;
}

Values draw_pages(Rng& r) { return {r.range(2, 12), r.range(2, 7), r.range(1, 20)}; }
Problem pages(const Values& v, const Names& n) {
  Problem p;
  int64_t x = 0;
  p.question = n.a + " reads " + S(v[0]) + " pages each day for " + S(v[1]) + " days. Then " + n.a + " reads " +
               S(v[2]) + " more pages. How many pages does " + n.a + " read in total?";
  p.steps = {"In " + S(v[1]) + " days " + n.a + " reads " + calc(v[0], '*', v[1], x) + " pages.",
             n.a + " reads " + calc(x, '+', v[2], p.answer) + " pages in total."};
  return p;
}

Values draw_lose_give(Rng& r) {
  for (;;) {
    const int64_t a = r.range(3, 20), b = r.range(1, 10), c = r.range(1, 10);
    if (b + c < a) return {a, b, c};
  }
}
Problem lose_and_give(const Values& v, const Names& n) {
  Problem p;
  int64_t x = 0;
  p.question = n.a + " has " + S(v[0]) + " " + n.items + ". " + n.a + " loses " + S(v[1]) + " " + n.items +
               " and gives " + S(v[2]) + " " + n.items + " to " + n.b + ". How many " + n.items + " does " + n.a +
               " have left?";
  p.steps = {n.a + " gives up " + calc(v[1], '+', v[2], x) + " " + n.items + ".",
             n.a + " has " + calc(v[0], '-', x, p.answer) + " " + n.items + " left."};
  return p;
}

// ---- three steps
Values draw_boxes_buy_give(Rng& r) {
  const int64_t a = r.range(2, 6), b = r.range(2, 10), c = r.range(1, 20);
  return {a, b, c, r.range(1, std::min<int64_t>(20, a * b + c - 1))};
}
Problem boxes_buy_give(const Values& v, const Names& n) {
  Problem p;
  int64_t x = 0, y = 0;
  p.question = n.a + " has " + S(v[0]) + " boxes with " + S(v[1]) + " " + n.items + " in each box. " + n.a + " buys " +
               S(v[2]) + " more " + n.items + ". Then " + n.a + " gives " + S(v[3]) + " " + n.items + " to " + n.b +
               ". How many " + n.items + " does " + n.a + " have now?";
  p.steps = {n.a + " has " + calc(v[0], '*', v[1], x) + " " + n.items + ".",
             n.a + " then has " + calc(x, '+', v[2], y) + " " + n.items + ".",
             n.a + " has " + calc(y, '-', v[3], p.answer) + " " + n.items + " now."};
  return p;
}

Values draw_earn(Rng& r) {
  const int64_t a = r.range(2, 9), b = r.range(2, 7);
  return {a, b, r.range(1, std::min<int64_t>(20, a * b)), r.range(1, 20)};
}
Problem earn_spend_gift(const Values& v, const Names& n) {
  Problem p;
  int64_t x = 0, y = 0;
  p.question = n.a + " earns " + S(v[0]) + " dollars each day for " + S(v[1]) + " days. " + n.a + " spends " +
               S(v[2]) + " dollars on lunch. Then " + n.b + " gives " + n.a + " " + S(v[3]) +
               " dollars. How many dollars does " + n.a + " have now?";
  p.steps = {n.a + " earns " + calc(v[0], '*', v[1], x) + " dollars.",
             "After lunch " + n.a + " has " + calc(x, '-', v[2], y) + " dollars.",
             n.a + " has " + calc(y, '+', v[3], p.answer) + " dollars now."};
  return p;
}

const std::vector<Template>& templates() {
  static const std::vector<Template> t = {
      {"add_more", draw_add, add_more},
      {"give_away", draw_give, give_away},
      {"bags", draw_bags, bags},
      {"equal_boxes", draw_boxes, equal_boxes},
      {"cost", draw_cost, cost},
      {"buy_then_give", draw_buy_give, buy_then_give},
      {"together", draw_together, together},
      {"change", draw_change, change},
      {"pages", draw_pages, pages},
      {"lose_and_give", draw_lose_give, lose_and_give},
      {"boxes_buy_give", draw_boxes_buy_give, boxes_buy_give},
      {"earn_spend_gift", draw_earn, earn_spend_gift},
  };
  return t;
}

Record micro_math(MicroSplit side, Rng& rng, const std::string& question_id) {
  const Template& t = rng.pick(templates());
  const Values v = micro_values_on(side, std::string("math:") + t.name, rng, t.draw);
  const auto& names = micro_names(side);
  const size_t ia = rng.below(names.size());
  size_t ib = rng.below(names.size() - 1);
  if (ib >= ia) ++ib;
  const Names n{names[ia], names[ib], rng.pick(micro_items())};
  const Problem p = t.build(v, n);
  Record r;
  r.messages = {{"user", p.question}, {"assistant", join(p.steps, "\n") + "\n#### " + S(p.answer)}};
  r.meta = {{"answer", S(p.answer)}, {"question_id", question_id}, {"template", t.name}, {"values", v}};
  return r;
}

}  // namespace

int micro_math_template_count() { return static_cast<int>(templates().size()); }

Record micro_math_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "micro:math", static_cast<uint64_t>(index));
  return micro_math(MicroSplit::train, rng, "micro-math-q" + std::to_string(index));
}

Record micro_gsm8k_test_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "micro:gsm8k_test", static_cast<uint64_t>(index));
  return micro_math(MicroSplit::test, rng, "micro-gsm8k-test-" + std::to_string(index));
}

}  // namespace sftx::rt::synth
