#include "runtime/eval/pass_at_k.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("pass@k: hand-computed values", "[pass_at_k]") {
  // pass@1 is the fraction passing.
  CHECK(pass_at_k(10, 3, 1) == Approx(0.3));
  CHECK(pass_at_k(5, 0, 1) == Approx(0.0));
  CHECK(pass_at_k(5, 5, 3) == Approx(1.0));
  // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10 = 0.7
  CHECK(pass_at_k(5, 2, 2) == Approx(0.7));
  // n=10, c=1, k=5: 1 - C(9,5)/C(10,5) = 1 - 126/252 = 0.5
  CHECK(pass_at_k(10, 1, 5) == Approx(0.5));
  // n=4, c=1, k=4: n-c < k -> 1
  CHECK(pass_at_k(4, 1, 4) == 1.0);
  // n=20, c=3, k=10: 1 - C(17,10)/C(20,10) = 1 - 19448/184756
  CHECK(pass_at_k(20, 3, 10) == Approx(1.0 - 19448.0 / 184756.0));
  // Large n stays finite (binomials would overflow doubles here).
  double big = pass_at_k(2000, 1, 1000);
  CHECK(big == Approx(0.5));
}

TEST_CASE("pass@k: invalid arguments are rejected", "[pass_at_k]") {
  CHECK_THROWS_AS(pass_at_k(0, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(pass_at_k(3, 4, 1), std::invalid_argument);
  CHECK_THROWS_AS(pass_at_k(3, 1, 0), std::invalid_argument);
}

TEST_CASE("pass@k: mean over problems, k reported only when every problem has k samples", "[pass_at_k]") {
  std::map<std::string, ProblemTally> t{{"a", {2, 1}}, {"b", {2, 0}}, {"c", {3, 3}}};
  auto m = mean_pass_at_k(t, {1, 2, 3});
  REQUIRE(m.count(1));
  // (1/2 + 0 + 1) / 3
  CHECK(m[1] == Approx(0.5));
  // a: 1 - C(1,2)/C(2,2) = 1 (n-c<k); b: 0; c: 1 -> 2/3
  CHECK(m[2] == Approx(2.0 / 3.0));
  CHECK_FALSE(m.count(3));
}
