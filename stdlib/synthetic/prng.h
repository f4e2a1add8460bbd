// The synthetic generators' random numbers: splitmix64 for seeding, xoshiro256** for the stream,
// and our own integer-only helpers. std::uniform_int_distribution and friends are not used: their
// output differs between standard libraries, and synthetic data must be identical everywhere for
// a (kind, n, seed).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace sftx::rt::synth {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// FNV-1a, to turn a kind name into a stream id.
inline uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }
  // One independent stream per (seed, kind, index): record i does not depend on n.
  static Rng for_record(uint64_t seed, const std::string& kind, uint64_t index) {
    uint64_t sm = seed ^ fnv1a(kind);
    const uint64_t a = splitmix64(sm);
    uint64_t sm2 = a ^ (index * 0xD1B54A32D192ED03ull);
    return Rng(splitmix64(sm2));
  }

  uint64_t next() {  // xoshiro256**
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) without modulo bias (rejection sampling).
  uint64_t below(uint64_t n) {
    if (n == 0) throw std::logic_error("Rng::below(0)");
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
  }
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
  uint64_t s_[4];
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

}  // namespace sftx::rt::synth
