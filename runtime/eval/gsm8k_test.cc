#include "runtime/eval/gsm8k.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

// The expected values are what lm-eval's gsm8k filters and exact_match produce (the peer check
// scripts/peers/gsm8k_parity.py compares a larger corpus against the package itself).
TEST_CASE("gsm8k: the first '#### N' wins over later numbers (lm-eval's strict-match)", "[gsm8k]") {
  CHECK(extract_gsm8k_answer("She pays 3 * 4 = 12 dollars.\n#### 12") == "12");
  CHECK(extract_gsm8k_answer("#### 7 apples, not 9") == "7");
  CHECK(extract_gsm8k_answer("a #### 1 then #### 2") == "1");
}

TEST_CASE("gsm8k: without '#### N', the last number-like run (lm-eval's flexible-extract)", "[gsm8k]") {
  CHECK(extract_gsm8k_answer("First 5, then 6, so the answer is 18.") == "18");
  CHECK(extract_gsm8k_answer("no digits here") == std::nullopt);
  CHECK(extract_gsm8k_answer("####") == std::nullopt);
  CHECK(extract_gsm8k_answer("#### none, but earlier 41") == "41");
  // "#### $5" is not strict ("$" is not in its class): the last run in the text counts.
  CHECK(extract_gsm8k_answer("#### $5 then 6") == "6");
}

TEST_CASE("gsm8k: commas, dollar signs, one trailing period, decimals, negatives", "[gsm8k]") {
  CHECK(extract_gsm8k_answer("The total is $1,234.") == "1234");
  CHECK(extract_gsm8k_answer("#### 1,234,567") == "1234567");
  CHECK(extract_gsm8k_answer("It costs $2.50.") == "2.50");
  CHECK(extract_gsm8k_answer("change of -3 degrees") == "-3");
  CHECK(extract_gsm8k_answer("about .5 of it") == ".5");
  // lm-eval reads these as it finds them: commas dropped, a hyphen is a minus, "..." keeps two.
  CHECK(extract_gsm8k_answer("pick 3,4") == "34");
  CHECK(extract_gsm8k_answer("a COVID-19 case") == "-19");
  CHECK(extract_gsm8k_answer("it is 5...") == "5..");
  CHECK(extract_gsm8k_answer("3/4 of them") == "4");
}

TEST_CASE("gsm8k: exact match after normalising, as lm-eval's exact_match", "[gsm8k]") {
  auto v = score_gsm8k("So she has 1,000 left.", "Natalia sold 48/2 = 24 clips.\n#### 1000");
  CHECK(v.correct);
  CHECK(v.predicted == "1000");
  CHECK(v.expected == "1000");
  auto wrong = score_gsm8k("The answer is 999.", "#### 1000");
  CHECK_FALSE(wrong.correct);
  auto none = score_gsm8k("I don't know.", "42");
  CHECK_FALSE(none.correct);
  CHECK_FALSE(none.predicted.has_value());
  // Not numeric equality: lm-eval compares strings.
  CHECK_FALSE(score_gsm8k("#### 72.0", "#### 72").correct);
  CHECK(score_gsm8k("#### 72", "42 + 30 = 72\n#### 72").correct);
}
