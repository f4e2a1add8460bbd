// Held-out task families for `humaneval_test`: functions of the same size and skills as the
// `code` families (counting, list folds, predicates, string filters) that the training data
// never asks for, with names and wording of their own.
#include <algorithm>
#include <cctype>

#include "stdlib/synthetic/code_task.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

using Ex = std::pair<std::string, std::string>;

bool is_vowel(char c) { return std::string("aeiouAEIOU").find(c) != std::string::npos; }

CodeTask count_consonants(Rng&) {
  CodeTask t;
  t.name = "count_consonants";
  t.params = {"phrase"};
  t.description = "returns the number of consonant letters (alphabetic characters that are not vowels) in phrase";
  t.bodies = {"    return sum(1 for c in phrase if c.isalpha() and c.lower() not in 'aeiou')\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 1, 3);
    int64_t n = 0;
    for (char c : x) n += std::isalpha(static_cast<unsigned char>(c)) && !is_vowel(c);
    return Ex{py_str(x), py_int(n)};
  };
  return t;
}

CodeTask product_of_list(Rng&) {
  CodeTask t;
  t.name = "product_of_elements";
  t.params = {"arr"};
  t.description = "returns the product of all integers in arr; the product of an empty list is 1";
  t.bodies = {"    result = 1\n    for value in arr:\n        result *= value\n    return result\n"};
  t.example = [](Rng& g) {
    const auto v = random_ints(g, 0, 5, -6, 9);
    int64_t p = 1;
    for (auto x : v) p *= x;
    return Ex{py_list(v), py_int(p)};
  };
  return t;
}

CodeTask is_sorted(Rng&) {
  CodeTask t;
  t.name = "is_non_decreasing";
  t.params = {"arr"};
  t.description = "returns True when every element of arr is at least as large as the one before it, else False";
  t.bodies = {"    return all(arr[i] <= arr[i + 1] for i in range(len(arr) - 1))\n"};
  t.example = [](Rng& g) {
    auto v = random_ints(g, 0, 6, 0, 9);
    if (g.chance(1, 2)) std::sort(v.begin(), v.end());
    return Ex{py_list(v), py_bool(std::is_sorted(v.begin(), v.end()))};
  };
  return t;
}

CodeTask count_uppercase(Rng&) {
  CodeTask t;
  t.name = "count_capitals";
  t.params = {"phrase"};
  t.description = "returns how many upper-case letters appear in phrase";
  t.bodies = {"    return sum(1 for c in phrase if c.isupper())\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 1, 5);
    int64_t n = 0;
    for (char c : x) n += std::isupper(static_cast<unsigned char>(c)) != 0;
    return Ex{py_str(x), py_int(n)};
  };
  return t;
}

CodeTask sum_of_squares(Rng&) {
  CodeTask t;
  t.name = "sum_of_squares_to";
  t.params = {"limit"};
  t.description = "returns 1*1 + 2*2 + ... + limit*limit for a non-negative integer limit (0 gives 0)";
  t.bodies = {"    return sum(i * i for i in range(1, limit + 1))\n"};
  t.example = [](Rng& g) {
    const int64_t x = g.range(0, 40);
    int64_t s = 0;
    for (int64_t i = 1; i <= x; ++i) s += i * i;
    return Ex{py_int(x), py_int(s)};
  };
  return t;
}

CodeTask remove_vowels(Rng&) {
  CodeTask t;
  t.name = "strip_vowels";
  t.params = {"phrase"};
  t.description = "returns phrase with every vowel (a, e, i, o, u in either case) deleted";
  t.bodies = {"    return ''.join(c for c in phrase if c.lower() not in 'aeiou')\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 1, 3);
    std::string y;
    for (char c : x)
      if (!is_vowel(c)) y += c;
    return Ex{py_str(x), py_str(y)};
  };
  return t;
}

CodeTask lcm(Rng&) {
  CodeTask t;
  t.name = "least_common_multiple";
  t.params = {"x", "y"};
  t.description = "returns the smallest positive integer divisible by both positive integers x and y";
  t.bodies = {"    m = max(x, y)\n    while m % x != 0 or m % y != 0:\n        m += 1\n    return m\n"};
  t.example = [](Rng& g) {
    const int64_t a = g.range(1, 24), b = g.range(1, 24);
    int64_t m = std::max(a, b);
    while (m % a || m % b) ++m;
    return Ex{py_int(a) + ", " + py_int(b), py_int(m)};
  };
  return t;
}

CodeTask index_of_max(Rng&) {
  CodeTask t;
  t.name = "position_of_largest";
  t.params = {"arr"};
  t.description = "returns the index of the first occurrence of the largest element of the non-empty list arr";
  t.bodies = {"    best = 0\n    for i in range(1, len(arr)):\n        if arr[i] > arr[best]:\n            best = i\n    return best\n"};
  t.example = [](Rng& g) {
    const auto v = random_ints(g, 1, 7, -9, 20);
    return Ex{py_list(v), py_int(std::max_element(v.begin(), v.end()) - v.begin())};
  };
  return t;
}

CodeTask alternating_sum(Rng&) {
  CodeTask t;
  t.name = "alternating_total";
  t.params = {"arr"};
  t.description = "returns arr[0] - arr[1] + arr[2] - arr[3] + ... (0 for an empty list)";
  t.bodies = {"    return sum(v if i % 2 == 0 else -v for i, v in enumerate(arr))\n"};
  t.example = [](Rng& g) {
    const auto v = random_ints(g, 0, 7, -10, 30);
    int64_t s = 0;
    for (size_t i = 0; i < v.size(); ++i) s += i % 2 ? -v[i] : v[i];
    return Ex{py_list(v), py_int(s)};
  };
  return t;
}

CodeTask count_multiples(Rng&) {
  CodeTask t;
  t.name = "how_many_divisible";
  t.params = {"arr", "d"};
  t.description = "returns how many elements of arr are divisible by the positive integer d";
  t.bodies = {"    return len([v for v in arr if v % d == 0])\n"};
  t.example = [](Rng& g) {
    const auto v = random_ints(g, 0, 8, -20, 50);
    const int64_t d = g.range(2, 6);
    int64_t c = 0;
    for (auto x : v) c += x % d == 0;
    return Ex{py_list(v) + ", " + py_int(d), py_int(c)};
  };
  return t;
}

}  // namespace

const std::vector<CodeFamily>& code_test_families() {
  static const std::vector<CodeFamily> f = {count_consonants, product_of_list, is_sorted,  count_uppercase,
                                            sum_of_squares,   remove_vowels,   lcm,        index_of_max,
                                            alternating_sum,  count_multiples};
  return f;
}

}  // namespace sftx::rt::synth
