// The synthetic generators' random numbers: xoshiro256** seeded by splitmix64 (runtime/base/prng.h),
// one stream per record, and integer-only helpers on top. std::uniform_int_distribution and
// friends are not used: their output differs between standard libraries, and synthetic data must
// be identical everywhere for a (kind, n, seed).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/base/prng.h"

namespace sftx::rt::synth {

// FNV-1a, to turn a kind name into a stream id.
inline uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : stream_(seed) {}
  // One independent stream per (seed, kind, index): record i does not depend on n.
  static Rng for_record(uint64_t seed, const std::string& kind, uint64_t index) {
    uint64_t sm = seed ^ fnv1a(kind);
    const uint64_t a = splitmix64_next(sm);
    uint64_t sm2 = a ^ (index * 0xD1B54A32D192ED03ull);
    return Rng(splitmix64_next(sm2));
  }

  uint64_t next() { return stream_.next(); }
  // Uniform in [0, n) without modulo bias (rejection sampling).
  uint64_t below(uint64_t n) { return stream_.below(n); }
  // Uniform in [lo, hi] inclusive.
  int64_t range(int64_t lo, int64_t hi) {
    if (hi < lo) throw std::logic_error("Rng::range: hi < lo");
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // True with probability num/den.
  bool chance(uint64_t num, uint64_t den) { return below(den) < num; }

  template <typename T>
  const T& pick(const std::vector<T>& v) {
    if (v.empty()) throw std::logic_error("Rng::pick from an empty list");
    return v[below(v.size())];
  }
  template <typename T, size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }
  const char* pick(std::initializer_list<const char*> l) {
    if (l.size() == 0) throw std::logic_error("Rng::pick from an empty list");
    return *(l.begin() + below(l.size()));
  }
  template <typename T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  Xoshiro256ss stream_;
};

}  // namespace sftx::rt::synth
