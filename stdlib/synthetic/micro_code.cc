// Micro-level `code` and `humaneval_test` (design in micro.h): fourteen families of one-line
// Python functions in HumanEval's layout. The prompt is the signature and a docstring with one
// example; the answer is the body; check(candidate) holds three asserts. Both kinds use the same
// families; a family's constant is split between train and test by micro_split.h (one in five
// values held out), and function
// and argument names come from disjoint lists, so no test prompt is a training prompt.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "stdlib/synthetic/code_task.h"
#include "stdlib/synthetic/micro.h"
#include "stdlib/synthetic/micro_split.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

using Ex = std::pair<std::string, std::string>;
using Names = std::vector<const char*>;
std::string S(int64_t x) { return std::to_string(x); }

const char* pick_side(Rng& r, MicroSplit side, const Names& train, const Names& test) {
  const Names& v = side == MicroSplit::train ? train : test;
  return v[r.below(v.size())];
}
std::string int_arg(Rng& r, MicroSplit side) { return pick_side(r, side, {"x", "n", "num"}, {"value", "number"}); }
std::string list_arg(Rng& r, MicroSplit side) { return pick_side(r, side, {"nums", "xs", "items"}, {"values", "arr"}); }
std::string str_arg(Rng& r, MicroSplit side) { return pick_side(r, side, {"s", "text", "word"}, {"string", "phrase"}); }

// The family's constant, on this side of the split.
int64_t constant(Rng& r, MicroSplit side, const std::string& family, int64_t lo, int64_t hi) {
  return r.pick(micro_constants_on(side, "code:" + family, lo, hi));
}

const char* const kWords[] = {"apple", "banana", "cherry", "lemon", "melon", "berry", "grape", "olive",
                              "peach", "mango",  "tomato", "salad", "bread", "onion", "pasta", "rice"};
std::string word(Rng& g) { return g.pick(kWords); }
std::vector<int64_t> small_list(Rng& g) { return random_ints(g, 1, 5, 0, 12); }

CodeTask task(std::string name, std::vector<std::string> params, std::string doc, std::string body,
              std::function<Ex(Rng&)> example) {
  CodeTask t;
  t.name = std::move(name);
  t.params = std::move(params);
  t.description = std::move(doc);
  t.bodies = {"    " + body + "\n"};
  t.example = std::move(example);
  return t;
}

CodeTask add_const(Rng& r, const MicroSides& s) {
  const int64_t k = constant(r, s.values, "add_const", 1, 20);
  const std::string x = int_arg(r, s.names);
  return task(pick_side(r, s.names, {"add_const", "plus_k"}, {"increase_by"}), {x}, "Return " + x + " plus " + S(k) + ".",
              "return " + x + " + " + S(k), [k](Rng& g) {
                const int64_t v = g.range(0, 20);
                return Ex{S(v), S(v + k)};
              });
}

CodeTask sub_const(Rng& r, const MicroSides& s) {
  const int64_t k = constant(r, s.values, "sub_const", 1, 20);
  const std::string x = int_arg(r, s.names);
  return task(pick_side(r, s.names, {"sub_const", "minus_k"}, {"decrease_by"}), {x}, "Return " + x + " minus " + S(k) + ".",
              "return " + x + " - " + S(k), [k](Rng& g) {
                const int64_t v = g.range(0, 30);
                return Ex{S(v), S(v - k)};
              });
}

CodeTask mul_const(Rng& r, const MicroSides& s) {
  const int64_t k = constant(r, s.values, "mul_const", 2, 12);
  const std::string x = int_arg(r, s.names);
  return task(pick_side(r, s.names, {"mul_const", "times_k"}, {"scale_by"}), {x}, "Return " + x + " times " + S(k) + ".",
              "return " + x + " * " + S(k), [k](Rng& g) {
                const int64_t v = g.range(0, 12);
                return Ex{S(v), S(v * k)};
              });
}

CodeTask is_even(Rng& r, const MicroSides& s) {
  const std::string x = int_arg(r, s.names);
  return task(pick_side(r, s.names, {"is_even", "even"}, {"check_even"}), {x},
              "Return True if " + x + " is even, else False.", "return " + x + " % 2 == 0", [](Rng& g) {
                const int64_t v = g.range(0, 30);
                return Ex{S(v), py_bool(v % 2 == 0)};
              });
}

CodeTask divisible(Rng& r, const MicroSides& s) {
  const int64_t k = constant(r, s.values, "divisible", 2, 9);
  const std::string x = int_arg(r, s.names);
  return task(pick_side(r, s.names, {"divisible", "is_multiple"}, {"check_divisible"}), {x},
              "Return True if " + x + " is divisible by " + S(k) + ", else False.",
              "return " + x + " % " + S(k) + " == 0", [k](Rng& g) {
                const int64_t v = g.chance(1, 2) ? k * g.range(0, 6) : g.range(0, 40);
                return Ex{S(v), py_bool(v % k == 0)};
              });
}

CodeTask largest(Rng& r, const MicroSides& s) {
  const std::string xs = list_arg(r, s.names);
  return task(pick_side(r, s.names, {"largest", "max_of"}, {"find_max"}), {xs}, "Return the largest number in " + xs + ".",
              "return max(" + xs + ")", [](Rng& g) {
                const auto v = small_list(g);
                return Ex{py_list(v), S(*std::max_element(v.begin(), v.end()))};
              });
}

CodeTask smallest(Rng& r, const MicroSides& s) {
  const std::string xs = list_arg(r, s.names);
  return task(pick_side(r, s.names, {"smallest", "min_of"}, {"find_min"}), {xs}, "Return the smallest number in " + xs + ".",
              "return min(" + xs + ")", [](Rng& g) {
                const auto v = small_list(g);
                return Ex{py_list(v), S(*std::min_element(v.begin(), v.end()))};
              });
}

CodeTask total(Rng& r, const MicroSides& s) {
  const std::string xs = list_arg(r, s.names);
  return task(pick_side(r, s.names, {"total", "sum_of"}, {"add_all"}), {xs}, "Return the sum of the numbers in " + xs + ".",
              "return sum(" + xs + ")", [](Rng& g) {
                const auto v = small_list(g);
                int64_t t = 0;
                for (auto x : v) t += x;
                return Ex{py_list(v), S(t)};
              });
}

CodeTask count_above(Rng& r, const MicroSides& s) {
  const int64_t k = constant(r, s.values, "count_above", 1, 10);
  const std::string xs = list_arg(r, s.names);
  return task(pick_side(r, s.names, {"count_above", "count_bigger"}, {"num_greater"}), {xs},
              "Return how many numbers in " + xs + " are greater than " + S(k) + ".",
              "return sum(1 for v in " + xs + " if v > " + S(k) + ")", [k](Rng& g) {
                const auto v = small_list(g);
                return Ex{py_list(v), S(std::count_if(v.begin(), v.end(), [k](int64_t x) { return x > k; }))};
              });
}

CodeTask count_char(Rng& r, const MicroSides& s) {
  static const std::string kLetters = "abceilmnoprt";
  const char c = kLetters[static_cast<size_t>(constant(r, s.values, "count_char", 0, static_cast<int64_t>(kLetters.size()) - 1))];
  const std::string x = str_arg(r, s.names);
  return task(pick_side(r, s.names, {"count_char", "char_count"}, {"occurrences"}), {x},
              "Return how many times '" + std::string(1, c) + "' appears in " + x + ".",
              "return " + x + ".count('" + std::string(1, c) + "')", [c](Rng& g) {
                const std::string w = word(g);
                return Ex{py_str(w), S(std::count(w.begin(), w.end(), c))};
              });
}

CodeTask reverse(Rng& r, const MicroSides& s) {
  const std::string x = str_arg(r, s.names);
  return task(pick_side(r, s.names, {"reverse", "flip"}, {"backwards"}), {x}, "Return " + x + " reversed.",
              "return " + x + "[::-1]", [](Rng& g) {
                const std::string w = word(g);
                return Ex{py_str(w), py_str(std::string(w.rbegin(), w.rend()))};
              });
}

CodeTask repeat(Rng& r, const MicroSides& s) {
  const int64_t k = constant(r, s.values, "repeat", 2, 9);
  const std::string x = str_arg(r, s.names);
  return task(pick_side(r, s.names, {"repeat", "copies"}, {"duplicate"}), {x},
              "Return " + x + " repeated " + S(k) + " times.", "return " + x + " * " + S(k), [k](Rng& g) {
                const std::string w = g.pick({"ab", "hi", "go", "x", "yes", "na", "up"});
                std::string out;
                for (int64_t i = 0; i < k; ++i) out += w;
                return Ex{py_str(w), py_str(out)};
              });
}

CodeTask to_upper(Rng& r, const MicroSides& s) {
  const std::string x = str_arg(r, s.names);
  return task(pick_side(r, s.names, {"to_upper", "shout"}, {"capitalize_all"}), {x}, "Return " + x + " in upper case.",
              "return " + x + ".upper()", [](Rng& g) {
                const std::string w = word(g);
                return Ex{py_str(w), py_str(upper(w))};
              });
}

CodeTask add_two(Rng& r, const MicroSides& s) {
  const bool first = r.chance(1, 2);
  const std::string a = s.names == MicroSplit::train ? (first ? "a" : "x") : (first ? "p" : "left");
  const std::string b = s.names == MicroSplit::train ? (first ? "b" : "y") : (first ? "q" : "right");
  return task(pick_side(r, s.names, {"add", "add_two"}, {"plus"}), {a, b}, "Return the sum of " + a + " and " + b + ".",
              "return " + a + " + " + b, [](Rng& g) {
                const int64_t x = g.range(0, 20), y = g.range(0, 20);
                return Ex{S(x) + ", " + S(y), S(x + y)};
              });
}

using Family = CodeTask (*)(Rng&, const MicroSides&);
const std::vector<Family>& families() {
  static const std::vector<Family> f = {add_const, sub_const, mul_const,  is_even, divisible, largest,  smallest,
                                        total,     count_above, count_char, reverse, repeat,    to_upper, add_two};
  return f;
}

// The families micro2's test side draws (indices into families()): those whose function holds
// a constant. With names shared between the sides, a constant-free family's test function would
// be a training function, and a held-out item must hold a held-out value. count_above (8) holds
// one too, but its docstring puts thirteen shared words before it ("def count_above xs Return
// how many numbers in xs are greater than"), so its test items would share a 13-gram with
// training text.
const std::vector<size_t>& micro2_test_families() {
  static const std::vector<size_t> f = {0, 1, 2, 4, 9, 11};  // add/sub/mul_const, divisible, count_char, repeat
  return f;
}

struct MicroCodeItem {
  CodeTask task;
  size_t family = 0;
  std::string prompt, body, test, asserts;
};

// Four distinct examples: the docstring's, then three for check(). `level` is "micro" (names
// from the side's own list) or "micro2" (names shared, test items only from families with a
// held-out constant).
MicroCodeItem make_item(MicroSplit side, const std::string& level, Rng& rng) {
  MicroCodeItem it;
  const bool micro2 = level == "micro2";
  if (micro2 && side == MicroSplit::test) it.family = rng.pick(micro2_test_families());
  else it.family = rng.below(families().size());
  const MicroSides sides{side, micro2 ? MicroSplit::train : side};
  it.task = families()[it.family](rng, sides);
  const CodeTask& t = it.task;
  std::vector<Ex> ex;
  std::set<std::string> seen;
  for (int attempt = 0; ex.size() < 4 && attempt < 200; ++attempt) {
    Ex e = t.example(rng);
    if (seen.insert(e.first).second) ex.push_back(std::move(e));
  }
  if (ex.size() < 4) throw std::logic_error("micro code family " + t.name + " gave fewer than four examples");
  it.prompt = t.signature() + "\n    \"\"\"" + t.description + "\n    >>> " + t.name + "(" + ex[0].first + ")\n    " +
              ex[0].second + "\n    \"\"\"\n";
  it.body = t.bodies.front();
  it.test = "\n\nMETADATA = {}\n\n\ndef check(candidate):\n";
  for (size_t i = 1; i < ex.size(); ++i) {
    it.test += "    assert candidate(" + ex[i].first + ") == " + ex[i].second + "\n";
    it.asserts += "assert " + t.name + "(" + ex[i].first + ") == " + ex[i].second + "\n";
  }
  return it;
}

// The record stream of a level: "micro:code" or "micro2:code", so the two levels draw
// independently.
Rng record_rng(const std::string& level, const std::string& kind, uint64_t seed, int64_t index) {
  return Rng::for_record(seed, level + ":" + kind, static_cast<uint64_t>(index));
}

}  // namespace

int micro_code_family_count() { return static_cast<int>(families().size()); }

Record micro_code_record(uint64_t seed, int64_t index, const std::string& level) {
  Rng rng = record_rng(level, "code", seed, index);
  const MicroCodeItem it = make_item(MicroSplit::train, level, rng);
  Record r;
  r.messages = {{"user", it.prompt}, {"assistant", it.body}};
  // code's fields (entry_point, tests, family) and HumanEval's, so a micro training set can be
  // scored like the test set.
  r.meta = {{"entry_point", it.task.name},
            {"tests", it.asserts},
            {"family", static_cast<int64_t>(it.family)},
            {"task_id", "MicroCode/" + std::to_string(index)},
            {"prompt", it.prompt},
            {"canonical_solution", it.body},
            {"test", it.test}};
  return r;
}

Record micro_humaneval_test_record(uint64_t seed, int64_t index, const std::string& level) {
  Rng rng = record_rng(level, "humaneval_test", seed, index);
  const MicroCodeItem it = make_item(MicroSplit::test, level, rng);
  Record r;
  r.messages = {{"user", it.prompt}, {"assistant", it.body}};
  r.meta = {{"task_id", "MicroEval/" + std::to_string(index)},
            {"prompt", it.prompt},
            {"canonical_solution", it.body},
            {"test", it.test},
            {"entry_point", it.task.name},
            {"family", static_cast<int64_t>(it.family)}};
  return r;
}

}  // namespace sftx::rt::synth
