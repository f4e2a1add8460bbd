// A small Python function task: what it does, a few equivalent implementations, and how to
// produce test cases with their expected values (computed here in C++, checked against the
// real Python in code_test.cc). Shared by `code` (Code-Alpaca-like) and `humaneval_test`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "stdlib/synthetic/prng.h"

namespace sftx::rt::synth {

struct CodeTask {
  std::string name;                  // function name
  std::vector<std::string> params;   // parameter names
  std::string description;           // "returns the number of vowels in the string s" (3rd person)
  std::vector<std::string> bodies;   // equivalent bodies, 4-space indented, "\n"-terminated lines
  // One test case: Python literals for the arguments ("'abc', 2") and the expected value.
  std::function<std::pair<std::string, std::string>(Rng&)> example;
  std::string signature() const;     // "def name(a, b):"
};

using CodeFamily = CodeTask (*)(Rng&);
const std::vector<CodeFamily>& code_train_families();
const std::vector<CodeFamily>& code_test_families();

// Python literals.
std::string py_str(const std::string& s);
std::string py_int(int64_t x);
std::string py_bool(bool b);
std::string py_list(const std::vector<int64_t>& xs);
std::string py_str_list(const std::vector<std::string>& xs);

// Test inputs.
std::vector<int64_t> random_ints(Rng& rng, int min_len, int max_len, int64_t lo, int64_t hi);
std::string random_sentence(Rng& rng, int min_words, int max_words);
std::string random_word(Rng& rng);

}  // namespace sftx::rt::synth
