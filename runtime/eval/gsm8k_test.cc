#include "runtime/eval/gsm8k.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("gsm8k: the number after #### wins over later numbers", "[gsm8k]") {
  CHECK(extract_gsm8k_answer("She pays 3 * 4 = 12 dollars.\n#### 12") == "12");
  CHECK(extract_gsm8k_answer("#### 7 apples, not 9") == "7");
  CHECK(extract_gsm8k_answer("a #### 1 then #### 2") == "2");
}

TEST_CASE("gsm8k: without ####, the last number in the text", "[gsm8k]") {
  CHECK(extract_gsm8k_answer("First 5, then 6, so the answer is 18.") == "18");
  CHECK(extract_gsm8k_answer("no digits here") == std::nullopt);
  CHECK(extract_gsm8k_answer("####") == std::nullopt);
  CHECK(extract_gsm8k_answer("#### none, but earlier 41") == "41");
}

TEST_CASE("gsm8k: commas, dollar signs, trailing periods, decimals, negatives", "[gsm8k]") {
  CHECK(extract_gsm8k_answer("The total is $1,234.") == "1234");
  CHECK(extract_gsm8k_answer("#### 1,234,567") == "1234567");
  CHECK(extract_gsm8k_answer("It costs $2.50.") == "2.50");
  CHECK(extract_gsm8k_answer("change of -3 degrees") == "-3");
  CHECK(extract_gsm8k_answer("about .5 of it") == "0.5");
  // "3,4" is a list of two numbers, not three thousand and four.
  CHECK(extract_gsm8k_answer("pick 3,4") == "4");
  // A hyphen inside a word is not a minus sign.
  CHECK(extract_gsm8k_answer("a COVID-19 case") == "19");
}

TEST_CASE("gsm8k: answers compare numerically", "[gsm8k]") {
  CHECK(gsm8k_answers_equal("72", "72.0"));
  CHECK(gsm8k_answers_equal("0.50", "0.5"));
  CHECK_FALSE(gsm8k_answers_equal("72", "73"));
  CHECK_FALSE(gsm8k_answers_equal("-5", "5"));
}

TEST_CASE("gsm8k: score against a full reference solution", "[gsm8k]") {
  auto v = score_gsm8k("So she has 1,000 left.", "Natalia sold 48/2 = 24 clips.\n#### 1000");
  CHECK(v.correct);
  CHECK(v.predicted == "1000");
  CHECK(v.expected == "1000");
  auto wrong = score_gsm8k("The answer is 999.", "#### 1000");
  CHECK_FALSE(wrong.correct);
  auto none = score_gsm8k("I don't know.", "42");
  CHECK_FALSE(none.correct);
  CHECK_FALSE(none.predicted.has_value());
}
