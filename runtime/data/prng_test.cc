#include "runtime/data/prng.h"

#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("splitmix64 matches the published reference sequence") {
  // Reference values of splitmix64 seeded with 0 (as in Vigna's splitmix64.c).
  SplitMix64 g(0);
  CHECK(g.next() == 0xe220a8397b1dcdafULL);
  CHECK(g.next() == 0x6e789e6aa1b965f4ULL);
}

TEST_CASE("below stays in range and covers it") {
  SplitMix64 g(7);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    uint64_t v = g.below(10);
    REQUIRE(v < 10);
    seen.insert(v);
  }
  CHECK(seen.size() == 10);
}

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
