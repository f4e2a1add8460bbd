#include "runtime/data/permutation.h"

#include <algorithm>

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("permutation is a permutation, deterministic, seed-dependent") {
  auto p = permutation(100, 1);
  auto q = permutation(100, 1);
  auto r = permutation(100, 2);
  CHECK(p == q);
  CHECK(p != r);
  auto s = p;
  std::sort(s.begin(), s.end());
  for (uint64_t i = 0; i < 100; ++i) CHECK(s[i] == i);
}

TEST_CASE("a partial permutation is a prefix of the full one (nested subsamples)") {
  auto full = permutation(1000, 9);
  auto part = partial_permutation(1000, 30, 9);
  REQUIRE(part.size() == 30);
  CHECK(std::equal(part.begin(), part.end(), full.begin()));
}

TEST_CASE("choose_mask picks exactly m") {
  auto mask = choose_mask(1000, 3, 5);
  CHECK(std::count(mask.begin(), mask.end(), true) == 3);
}

TEST_CASE("floor_scaled is exact for large values") {
  CHECK(floor_scaled(1, 256, 1000) == 3);
  CHECK(floor_scaled(1, 4, 1000) == 250);
  CHECK(floor_scaled(5, 4, 7) == 8);
  CHECK(floor_scaled(INT64_MAX, INT64_MAX, INT64_MAX) == INT64_MAX);
  CHECK(floor_scaled(0, 1, 55) == 0);
}
