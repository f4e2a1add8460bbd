#include "interpreter/exec/fraction_param.h"

#include <catch2/catch.hpp>

using sftx::exec::parse_fraction;

TEST_CASE("exact ratios parse from the plan's strings", "[exec][fraction]") {
  auto f = parse_fraction("1/256");
  CHECK(f.num == 1);
  CHECK(f.den == 256);
  f = parse_fraction("3");
  CHECK(f.num == 3);
  CHECK(f.den == 1);
  f = parse_fraction(2);
  CHECK(f.num == 2);
  CHECK_THROWS(parse_fraction("1/0"));
  CHECK_THROWS(parse_fraction("1/2x"));
  CHECK_THROWS(parse_fraction("0.5"));
  CHECK_THROWS(parse_fraction(0.5));
}
