#include "interpreter/front/rational.h"

#include <catch2/catch.hpp>

using sftx::Rational;

namespace {
Rational lit(const char* text) {
  std::string error;
  auto r = Rational::parse_literal(text, &error);
  INFO(text << ": " << error);
  REQUIRE(r);
  return *r;
}
Rational rmul(const Rational& a, const Rational& b) { return *Rational::mul(a, b, nullptr); }
Rational rdiv(const Rational& a, const Rational& b) { return *Rational::div(a, b, nullptr); }
}  // namespace

TEST_CASE("number literals are exact rationals", "[rational]") {
  CHECK(lit("3") == Rational(3));
  CHECK(lit("0.03") == Rational::fraction(3, 100));
  CHECK(lit("2e-5") == Rational::fraction(1, 50000));
  CHECK(lit("2E+3") == Rational(2000));
  CHECK(lit("1.5e1") == Rational(15));
  CHECK(lit("007") == Rational(7));
  CHECK(lit("0.85") == Rational::fraction(17, 20));  // not octal
  CHECK(lit("0.09") == Rational::fraction(9, 100));
  CHECK(lit("0") == Rational(0));
  CHECK(lit("0.0") == Rational(0));
  CHECK(lit("0.1").str() == "1/10");
}

TEST_CASE("1/2 * 1/128 equals 1/256 exactly", "[rational]") {
  Rational half = rdiv(1, 2);
  Rational r = rdiv(rmul(half, 1), 128);  // (1/2 * 1) / 128, as the parser associates it
  CHECK(r == rdiv(1, 256));
  CHECK(r.str() == "1/256");
  CHECK(r.fraction_str() == "1/256");
  CHECK(Rational(3).fraction_str() == "3/1");
  CHECK(Rational(3).str() == "3");
}

TEST_CASE("malformed and oversized literals are rejected with a reason", "[rational]") {
  std::string error;
  CHECK_FALSE(Rational::parse_literal("1e100000000000000000000", &error));
  CHECK(error.find("exponent") != std::string::npos);
  CHECK_FALSE(Rational::parse_literal("1.", &error));
  CHECK_FALSE(Rational::parse_literal("e5", &error));
  CHECK_FALSE(Rational::parse_literal("1e", &error));
  CHECK_FALSE(Rational::parse_literal("1x", &error));
  CHECK_FALSE(Rational::parse_literal(std::string(2000, '9'), &error));
  CHECK(error.find("too long") != std::string::npos);
  CHECK(Rational::parse_literal("1e400", &error));
  CHECK(Rational::parse_literal("1e-400", &error));
}

TEST_CASE("arithmetic stops at the size bound instead of growing forever", "[rational]") {
  Rational big = lit("1e400");
  std::string error;
  std::optional<Rational> acc = big;
  int steps = 0;
  while (acc && steps < 100) {
    acc = Rational::mul(*acc, big, &error);
    ++steps;
  }
  CHECK_FALSE(acc);
  CHECK(steps < 100);
  CHECK(error.find("too large") != std::string::npos);
  CHECK_FALSE(Rational::div(1, 0, &error));
  CHECK(error == "division by zero");
}

TEST_CASE("conversions to the runtime's Fraction and to double", "[rational]") {
  auto f = rdiv(1, 256).to_fraction();
  REQUIRE(f);
  CHECK(f->num == 1);
  CHECK(f->den == 256);
  CHECK_FALSE(lit("1e30").to_fraction());
  CHECK(lit("2e-5").to_double() == Approx(2e-5));
  CHECK(Rational(7).to_int64() == 7);
  CHECK_FALSE(rdiv(7, 2).to_int64());
}

TEST_CASE("floor, sign and decimal printing", "[rational]") {
  CHECK(rdiv(7, 2).floor() == Rational(3));
  CHECK(rdiv(-7, 2).floor() == Rational(-4));
  CHECK(Rational(-3).sign() == -1);
  CHECK(lit("2e-5").decimal_str() == std::optional<std::string>("0.00002"));
  CHECK(lit("0.03").decimal_str() == std::optional<std::string>("0.03"));
  CHECK_FALSE(rdiv(1, 3).decimal_str());
  CHECK(rdiv(-1, 4).decimal_str() == std::optional<std::string>("-0.25"));
}
