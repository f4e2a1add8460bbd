// Training task families for `code`: string, list, arithmetic, counting and filtering
// functions. Constants (k, separators, bounds) and names vary per record, so the tasks are
// many more than the families. Held-out families (humaneval_test) are in humaneval_families.cc.
#include <algorithm>
#include <cctype>
#include <set>

#include "stdlib/synthetic/code_task.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

using Ex = std::pair<std::string, std::string>;
std::string S(int64_t x) { return std::to_string(x); }

std::string pick_name(Rng& r, std::initializer_list<const char*> names) { return r.pick(names); }

CodeTask count_vowels(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"count_vowels", "vowel_count", "num_vowels"});
  const std::string s = r.pick({"s", "text", "word"});
  t.params = {s};
  t.description = "returns how many vowels (a, e, i, o, u, upper or lower case) the string " + s + " contains";
  t.bodies = {"    count = 0\n    for ch in " + s + ":\n        if ch in 'aeiouAEIOU':\n            count += 1\n    return count\n",
              "    return sum(1 for ch in " + s + " if ch.lower() in 'aeiou')\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 1, 4);
    int64_t n = 0;
    for (char c : x) n += std::string("aeiouAEIOU").find(c) != std::string::npos;
    return Ex{py_str(x), py_int(n)};
  };
  return t;
}

CodeTask reverse_string(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"reverse_string", "reverse_text", "reversed_str"});
  const std::string s = r.pick({"s", "text"});
  t.params = {s};
  t.description = "returns the string " + s + " reversed";
  t.bodies = {"    return " + s + "[::-1]\n",
              "    result = ''\n    for ch in " + s + ":\n        result = ch + result\n    return result\n"};
  t.example = [](Rng& g) {
    std::string x = random_sentence(g, 1, 3);
    std::string y(x.rbegin(), x.rend());
    return Ex{py_str(x), py_str(y)};
  };
  return t;
}

CodeTask is_palindrome(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"is_palindrome", "palindrome", "check_palindrome"});
  const std::string s = r.pick({"s", "word"});
  t.params = {s};
  t.description = "returns True if the string " + s + " reads the same forwards and backwards ignoring case, and False otherwise";
  t.bodies = {"    lowered = " + s + ".lower()\n    return lowered == lowered[::-1]\n",
              "    lowered = " + s + ".lower()\n    i, j = 0, len(lowered) - 1\n    while i < j:\n        if lowered[i] != lowered[j]:\n"
              "            return False\n        i += 1\n        j -= 1\n    return True\n"};
  t.example = [](Rng& g) {
    const std::string x = random_word(g);
    const std::string l = lower(x);
    return Ex{py_str(x), py_bool(l == std::string(l.rbegin(), l.rend()))};
  };
  return t;
}

CodeTask sum_divisible(Rng& r) {
  CodeTask t;
  const int64_t k = r.range(2, 7);
  t.name = k == 2 ? pick_name(r, {"sum_even", "sum_of_evens", "even_sum"}) : "sum_multiples_of_" + S(k);
  const std::string xs = r.pick({"nums", "numbers", "values"});
  t.params = {xs};
  t.description = "returns the sum of the numbers in the list " + xs + " that are divisible by " + S(k);
  t.bodies = {"    total = 0\n    for x in " + xs + ":\n        if x % " + S(k) + " == 0:\n            total += x\n    return total\n",
              "    return sum(x for x in " + xs + " if x % " + S(k) + " == 0)\n"};
  t.example = [k](Rng& g) {
    const auto v = random_ints(g, 0, 8, -20, 60);
    int64_t s = 0;
    for (auto x : v) s += (x % k == 0) ? x : 0;
    return Ex{py_list(v), py_int(s)};
  };
  return t;
}

CodeTask max_value(Rng& r) {
  CodeTask t;
  const bool want_max = r.chance(1, 2);
  t.name = want_max ? pick_name(r, {"find_max", "max_value", "largest"}) : pick_name(r, {"find_min", "min_value", "smallest"});
  const std::string xs = r.pick({"nums", "numbers", "items"});
  t.params = {xs};
  t.description = std::string("returns the ") + (want_max ? "largest" : "smallest") + " number in the non-empty list " + xs +
                  " without using the built-in " + (want_max ? "max" : "min");
  const std::string cmp = want_max ? ">" : "<";
  t.bodies = {"    best = " + xs + "[0]\n    for x in " + xs + "[1:]:\n        if x " + cmp + " best:\n            best = x\n    return best\n",
              "    best = None\n    for x in " + xs + ":\n        if best is None or x " + cmp + " best:\n            best = x\n    return best\n"};
  t.example = [want_max](Rng& g) {
    const auto v = random_ints(g, 1, 8, -50, 99);
    return Ex{py_list(v), py_int(want_max ? *std::max_element(v.begin(), v.end()) : *std::min_element(v.begin(), v.end()))};
  };
  return t;
}

CodeTask count_char(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"count_char", "char_count", "count_occurrences"});
  t.params = {r.pick({"s", "text"}), r.pick({"ch", "c", "letter"})};
  t.description = "returns how many times the character " + t.params[1] + " occurs in the string " + t.params[0];
  t.bodies = {"    count = 0\n    for x in " + t.params[0] + ":\n        if x == " + t.params[1] + ":\n            count += 1\n    return count\n",
              "    return " + t.params[0] + ".count(" + t.params[1] + ")\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 1, 4);
    const char c = "aeinorst"[g.below(8)];
    return Ex{py_str(x) + ", " + py_str(std::string(1, c)), py_int(std::count(x.begin(), x.end(), c))};
  };
  return t;
}

CodeTask factorial(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"factorial", "fact", "compute_factorial"});
  t.params = {r.pick({"n", "k"})};
  const std::string n = t.params[0];
  t.description = "returns the factorial of the non-negative integer " + n;
  t.bodies = {"    result = 1\n    for i in range(2, " + n + " + 1):\n        result *= i\n    return result\n",
              "    if " + n + " <= 1:\n        return 1\n    return " + n + " * " + t.name + "(" + n + " - 1)\n"};
  t.example = [](Rng& g) {
    const int64_t x = g.range(0, 12);
    int64_t f = 1;
    for (int64_t i = 2; i <= x; ++i) f *= i;
    return Ex{py_int(x), py_int(f)};
  };
  return t;
}

CodeTask fibonacci(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"fibonacci", "fib", "nth_fibonacci"});
  t.params = {"n"};
  t.description = "returns the n-th Fibonacci number, where fib(0) = 0 and fib(1) = 1";
  t.bodies = {"    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
              "    if n < 2:\n        return n\n    prev, cur = 0, 1\n    for _ in range(n - 1):\n        prev, cur = cur, prev + cur\n    return cur\n"};
  t.example = [](Rng& g) {
    const int64_t x = g.range(0, 30);
    int64_t a = 0, b = 1;
    for (int64_t i = 0; i < x; ++i) {
      const int64_t c = a + b;
      a = b;
      b = c;
    }
    return Ex{py_int(x), py_int(a)};
  };
  return t;
}

CodeTask is_prime(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"is_prime", "prime", "check_prime"});
  t.params = {r.pick({"n", "num"})};
  const std::string n = t.params[0];
  t.description = "returns True if the integer " + n + " is a prime number and False otherwise";
  t.bodies = {"    if " + n + " < 2:\n        return False\n    i = 2\n    while i * i <= " + n + ":\n        if " + n +
                  " % i == 0:\n            return False\n        i += 1\n    return True\n",
              "    if " + n + " < 2:\n        return False\n    return all(" + n + " % d != 0 for d in range(2, int(" + n + " ** 0.5) + 1))\n"};
  t.example = [](Rng& g) {
    const int64_t x = g.range(-3, 120);
    bool p = x >= 2;
    for (int64_t d = 2; d * d <= x && p; ++d) p = x % d != 0;
    return Ex{py_int(x), py_bool(p)};
  };
  return t;
}

CodeTask filter_greater(Rng& r) {
  CodeTask t;
  const int64_t k = r.range(0, 30);
  const bool greater = r.chance(1, 2);
  t.name = std::string(greater ? "greater_than_" : "less_than_") + S(k);
  const std::string xs = r.pick({"nums", "values", "data"});
  t.params = {xs};
  t.description = std::string("returns a new list with the numbers of ") + xs + " that are strictly " +
                  (greater ? "greater" : "less") + " than " + S(k) + ", keeping their order";
  const std::string cmp = greater ? " > " : " < ";
  t.bodies = {"    return [x for x in " + xs + " if x" + cmp + S(k) + "]\n",
              "    result = []\n    for x in " + xs + ":\n        if x" + cmp + S(k) + ":\n            result.append(x)\n    return result\n"};
  t.example = [k, greater](Rng& g) {
    const auto v = random_ints(g, 0, 8, -10, 60);
    std::vector<int64_t> out;
    for (auto x : v)
      if (greater ? x > k : x < k) out.push_back(x);
    return Ex{py_list(v), py_list(out)};
  };
  return t;
}

CodeTask scale_list(Rng& r) {
  CodeTask t;
  const int64_t k = r.range(2, 9);
  const bool add = r.chance(1, 3);
  t.name = add ? "add_" + S(k) + "_to_each" : pick_name(r, {"scale_by_", "multiply_by_", "times_"}) + S(k);
  const std::string xs = r.pick({"nums", "values", "items"});
  t.params = {xs};
  t.description = add ? "returns a new list where " + S(k) + " is added to every number of " + xs
                      : "returns a new list with every number of " + xs + " multiplied by " + S(k);
  const std::string op = add ? " + " : " * ";
  t.bodies = {"    return [x" + op + S(k) + " for x in " + xs + "]\n",
              "    out = []\n    for x in " + xs + ":\n        out.append(x" + op + S(k) + ")\n    return out\n"};
  t.example = [k, add](Rng& g) {
    auto v = random_ints(g, 0, 7, -20, 40);
    std::vector<int64_t> o;
    for (auto x : v) o.push_back(add ? x + k : x * k);
    return Ex{py_list(v), py_list(o)};
  };
  return t;
}

CodeTask remove_duplicates(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"remove_duplicates", "dedupe", "unique_in_order"});
  const std::string xs = r.pick({"items", "nums", "values"});
  t.params = {xs};
  t.description = "returns the list " + xs + " without repeated elements, keeping the first occurrence of each in order";
  t.bodies = {"    seen = set()\n    result = []\n    for x in " + xs + ":\n        if x not in seen:\n            seen.add(x)\n"
              "            result.append(x)\n    return result\n",
              "    result = []\n    for x in " + xs + ":\n        if x not in result:\n            result.append(x)\n    return result\n"};
  t.example = [](Rng& g) {
    const auto v = random_ints(g, 0, 10, 0, 6);
    std::vector<int64_t> o;
    for (auto x : v)
      if (std::find(o.begin(), o.end(), x) == o.end()) o.push_back(x);
    return Ex{py_list(v), py_list(o)};
  };
  return t;
}

CodeTask count_words(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"count_words", "word_count", "num_words"});
  t.params = {r.pick({"sentence", "text", "s"})};
  t.description = "returns the number of words in the string " + t.params[0] + ", where words are separated by whitespace";
  t.bodies = {"    return len(" + t.params[0] + ".split())\n",
              "    count = 0\n    for part in " + t.params[0] + ".split():\n        count += 1\n    return count\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 0, 6);
    return Ex{py_str(x), py_int(static_cast<int64_t>(split_words(x).size()))};
  };
  return t;
}

int64_t gcd64(int64_t a, int64_t b) {
  while (b) {
    const int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

CodeTask gcd(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"gcd", "greatest_common_divisor", "compute_gcd"});
  t.params = {"a", "b"};
  t.description = "returns the greatest common divisor of the positive integers a and b";
  t.bodies = {"    while b:\n        a, b = b, a % b\n    return a\n",
              "    if b == 0:\n        return a\n    return " + t.name + "(b, a % b)\n"};
  t.example = [](Rng& g) {
    const int64_t f = g.range(1, 12), a = f * g.range(1, 20), b = f * g.range(1, 20);
    return Ex{py_int(a) + ", " + py_int(b), py_int(gcd64(a, b))};
  };
  return t;
}

CodeTask digit_sum(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"digit_sum", "sum_of_digits", "sum_digits"});
  t.params = {r.pick({"n", "number"})};
  const std::string n = t.params[0];
  t.description = "returns the sum of the decimal digits of the non-negative integer " + n;
  t.bodies = {"    total = 0\n    while " + n + " > 0:\n        total += " + n + " % 10\n        " + n + " //= 10\n    return total\n",
              "    return sum(int(d) for d in str(" + n + "))\n"};
  t.example = [](Rng& g) {
    int64_t x = g.range(0, 999999), s = 0;
    for (int64_t y = x; y > 0; y /= 10) s += y % 10;
    return Ex{py_int(x), py_int(s)};
  };
  return t;
}

CodeTask running_sum(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"running_sum", "prefix_sums", "cumulative_sum"});
  const std::string xs = r.pick({"nums", "values"});
  t.params = {xs};
  t.description = "returns a list whose i-th element is the sum of the first i + 1 numbers of " + xs;
  t.bodies = {"    result = []\n    total = 0\n    for x in " + xs + ":\n        total += x\n        result.append(total)\n    return result\n",
              "    return [sum(" + xs + "[:i + 1]) for i in range(len(" + xs + "))]\n"};
  t.example = [](Rng& g) {
    const auto v = random_ints(g, 0, 7, -10, 30);
    std::vector<int64_t> o;
    int64_t s = 0;
    for (auto x : v) o.push_back(s += x);
    return Ex{py_list(v), py_list(o)};
  };
  return t;
}

CodeTask count_positive(Rng& r) {
  CodeTask t;
  const bool neg = r.chance(1, 2);
  t.name = neg ? pick_name(r, {"count_negative", "negatives"}) : pick_name(r, {"count_positive", "positives"});
  const std::string xs = r.pick({"nums", "values"});
  t.params = {xs};
  t.description = std::string("returns how many numbers in ") + xs + " are strictly " + (neg ? "negative" : "positive");
  const std::string cond = neg ? "x < 0" : "x > 0";
  t.bodies = {"    return sum(1 for x in " + xs + " if " + cond + ")\n",
              "    count = 0\n    for x in " + xs + ":\n        if " + cond + ":\n            count += 1\n    return count\n"};
  t.example = [neg](Rng& g) {
    const auto v = random_ints(g, 0, 9, -20, 20);
    int64_t c = 0;
    for (auto x : v) c += neg ? x < 0 : x > 0;
    return Ex{py_list(v), py_int(c)};
  };
  return t;
}

CodeTask longest_word(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"longest_word", "find_longest_word"});
  t.params = {r.pick({"sentence", "text"})};
  t.description = "returns the longest word in the string " + t.params[0] +
                  " (words are separated by spaces; the first one wins a tie; an empty string gives '')";
  t.bodies = {"    best = ''\n    for w in " + t.params[0] + ".split():\n        if len(w) > len(best):\n            best = w\n    return best\n",
              "    words = " + t.params[0] + ".split()\n    if not words:\n        return ''\n    return max(words, key=len)\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 0, 5);
    std::string best;
    for (const auto& w : split_words(x))
      if (w.size() > best.size()) best = w;
    return Ex{py_str(x), py_str(best)};
  };
  return t;
}

CodeTask power_of_two(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"is_power_of_two", "power_of_two"});
  t.params = {"n"};
  t.description = "returns True if the integer n is a power of two (1, 2, 4, 8, ...) and False otherwise";
  t.bodies = {"    if n < 1:\n        return False\n    while n % 2 == 0:\n        n //= 2\n    return n == 1\n",
              "    return n > 0 and (n & (n - 1)) == 0\n"};
  t.example = [](Rng& g) {
    const int64_t x = g.chance(1, 2) ? (int64_t{1} << g.range(0, 20)) : g.range(-4, 300);
    return Ex{py_int(x), py_bool(x > 0 && (x & (x - 1)) == 0)};
  };
  return t;
}

CodeTask clamp_list(Rng& r) {
  CodeTask t;
  const int64_t lo = r.range(-10, 5), hi = lo + r.range(5, 30);
  t.name = pick_name(r, {"clamp_all", "clip_values", "clamp_list"});
  const std::string xs = r.pick({"nums", "values"});
  t.params = {xs};
  t.description = "returns a new list where every number of " + xs + " below " + S(lo) + " becomes " + S(lo) +
                  " and every number above " + S(hi) + " becomes " + S(hi);
  t.bodies = {"    return [min(max(x, " + S(lo) + "), " + S(hi) + ") for x in " + xs + "]\n",
              "    out = []\n    for x in " + xs + ":\n        if x < " + S(lo) + ":\n            x = " + S(lo) +
                  "\n        elif x > " + S(hi) + ":\n            x = " + S(hi) + "\n        out.append(x)\n    return out\n"};
  t.example = [lo, hi](Rng& g) {
    const auto v = random_ints(g, 0, 8, -30, 60);
    std::vector<int64_t> o;
    for (auto x : v) o.push_back(std::min(std::max(x, lo), hi));
    return Ex{py_list(v), py_list(o)};
  };
  return t;
}

CodeTask capitalize_words(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"capitalize_words", "title_words"});
  t.params = {r.pick({"sentence", "text"})};
  t.description = "returns " + t.params[0] +
                  " with the first letter of every space-separated word in upper case and the rest unchanged";
  t.bodies = {"    return ' '.join(w[:1].upper() + w[1:] for w in " + t.params[0] + ".split(' '))\n",
              "    words = " + t.params[0] + ".split(' ')\n    for i in range(len(words)):\n        words[i] = words[i][:1].upper() + words[i][1:]\n    return ' '.join(words)\n"};
  t.example = [](Rng& g) {
    const std::string x = random_sentence(g, 1, 5);
    std::string y = x;
    for (size_t i = 0; i < y.size(); ++i)
      if (i == 0 || y[i - 1] == ' ') y[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(y[i])));
    return Ex{py_str(x), py_str(y)};
  };
  return t;
}

CodeTask second_largest(Rng& r) {
  CodeTask t;
  t.name = pick_name(r, {"second_largest", "runner_up"});
  const std::string xs = r.pick({"nums", "values"});
  t.params = {xs};
  t.description = "returns the second largest distinct number in " + xs + ", or None if there is no such number";
  t.bodies = {"    distinct = sorted(set(" + xs + "), reverse=True)\n    if len(distinct) < 2:\n        return None\n    return distinct[1]\n",
              "    first = second = None\n    for x in " + xs + ":\n        if first is None or x > first:\n            if first is not None and x != first:\n"
              "                second = first\n            first = x\n        elif x != first and (second is None or x > second):\n            second = x\n    return second\n"};
  t.example = [](Rng& g) {
    const auto v = random_ints(g, 0, 7, -5, 15);
    std::set<int64_t> s(v.begin(), v.end());
    std::string expect = "None";
    if (s.size() >= 2) expect = py_int(*std::next(s.rbegin()));
    return Ex{py_list(v), expect};
  };
  return t;
}

CodeTask join_words(Rng& r) {
  CodeTask t;
  const std::string sep = r.pick({"-", ", ", " | ", "_", "/"});
  t.name = pick_name(r, {"join_words", "combine_words", "glue_words"});
  t.params = {r.pick({"words", "parts"})};
  t.description = "returns the strings of the list " + t.params[0] + " joined with " + py_str(sep) + " between them";
  t.bodies = {"    return " + py_str(sep) + ".join(" + t.params[0] + ")\n",
              "    result = ''\n    for i, w in enumerate(" + t.params[0] + "):\n        if i > 0:\n            result += " + py_str(sep) +
                  "\n        result += w\n    return result\n"};
  t.example = [sep](Rng& g) {
    std::vector<std::string> w;
    const int64_t n = g.range(0, 4);
    for (int64_t i = 0; i < n; ++i) w.push_back(random_word(g));
    return Ex{py_str_list(w), py_str(join(w, sep))};
  };
  return t;
}

CodeTask repeat_chars(Rng& r) {
  CodeTask t;
  const int64_t k = r.range(2, 4);
  t.name = "repeat_each_char_" + S(k);
  t.params = {r.pick({"s", "text"})};
  t.description = "returns a string where every character of " + t.params[0] + " appears " + S(k) + " times in a row";
  t.bodies = {"    return ''.join(ch * " + S(k) + " for ch in " + t.params[0] + ")\n",
              "    out = ''\n    for ch in " + t.params[0] + ":\n        out += ch * " + S(k) + "\n    return out\n"};
  t.example = [k](Rng& g) {
    const std::string x = random_word(g);
    std::string y;
    for (char c : x) y += std::string(static_cast<size_t>(k), c);
    return Ex{py_str(x), py_str(y)};
  };
  return t;
}

}  // namespace

const std::vector<CodeFamily>& code_train_families() {
  static const std::vector<CodeFamily> f = {
      count_vowels, reverse_string, is_palindrome, sum_divisible, max_value,     count_char,
      factorial,    fibonacci,      is_prime,      filter_greater, scale_list,   remove_duplicates,
      count_words,  gcd,            digit_sum,     running_sum,   count_positive, longest_word,
      power_of_two, clamp_list,     capitalize_words, second_largest, join_words, repeat_chars};
  return f;
}

}  // namespace sftx::rt::synth
