#include "stdlib/synthetic/prng.h"

#include <catch2/catch.hpp>

#include <set>

using sftx::rt::synth::Rng;

TEST_CASE("a synthetic Rng is the xoshiro256** stream of its seed", "[synthetic][prng]") {
  Rng a(42), b(42), c(43);
  sftx::rt::Xoshiro256ss reference(42);
  std::vector<uint64_t> xa, xb, xc;
  for (int i = 0; i < 100; ++i) {
    xa.push_back(a.next());
    xb.push_back(b.next());
    xc.push_back(c.next());
    CHECK(xa.back() == reference.next());
  }
  CHECK(xa == xb);
  CHECK(xa != xc);
}

TEST_CASE("Rng helpers stay in range and cover it", "[synthetic][prng]") {
  Rng r(7);
  std::set<int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const int64_t x = r.range(-3, 3);
    CHECK(x >= -3);
    CHECK(x <= 3);
    seen.insert(x);
  }
  CHECK(seen.size() == 7);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += r.chance(1, 4);
  CHECK(hits > 2200);
  CHECK(hits < 2800);
  std::vector<int> v = {1, 2, 3, 4, 5, 6};
  r.shuffle(v);
  CHECK(std::multiset<int>(v.begin(), v.end()) == std::multiset<int>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("record streams are independent of each other", "[synthetic][prng]") {
  CHECK(Rng::for_record(1, "math", 5).next() == Rng::for_record(1, "math", 5).next());
  CHECK(Rng::for_record(1, "math", 5).next() != Rng::for_record(1, "math", 6).next());
  CHECK(Rng::for_record(1, "math", 5).next() != Rng::for_record(1, "code", 5).next());
  CHECK(Rng::for_record(1, "math", 5).next() != Rng::for_record(2, "math", 5).next());
}
