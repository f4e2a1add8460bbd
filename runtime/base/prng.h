// The pseudo-random numbers of sftx, in one place. Written out rather than taken from <random>
// (std::uniform_int_distribution, std::normal_distribution, std::shuffle), whose results differ
// between standard libraries: a seed must give the same records, subsets, samples and caches on
// every machine and compiler, and results already committed depend on these exact streams.
//
//   splitmix64    (Steele, Lea, Flood 2014) the generator of the seeded data operations (scale,
//                 mix, split, sample), MinHash's permutations, t-SNE's initialisation, and the
//                 mixer that turns seeds into independent seeds (generation's per-prompt streams).
//   xoshiro256**  (Blackman, Vigna 2018) seeded by splitmix64: the synthetic generators' stream.
//   uniform_below unbiased bounded integers (rejection sampling) for either.
// One generator lives elsewhere, on purpose: CPython's Mersenne Twister
// (runtime/eval/python_random.h), which only reproduces langdetect's seeded draws for IFEval's
// language check; nothing of sftx's own draws from it.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace sftx::rt {

// One splitmix64 step: advances `state` by the golden-ratio gamma and returns the mixed value.
inline uint64_t splitmix64_next(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The first splitmix64 output from state x: a stateless 64-bit mixer for deriving seeds.
inline uint64_t splitmix64_mix(uint64_t x) { return splitmix64_next(x); }

// Uniform in [0, bound), bound > 0, from any generator with next() -> uint64_t. Rejects the top
// sliver of 2^64 that would bias the result (none when bound divides 2^64).
template <class Generator>
uint64_t uniform_below(Generator& g, uint64_t bound) {
  if (bound == 0) throw std::invalid_argument("uniform_below(0)");
  // Accept x only up to the largest multiple of bound that fits in 2^64, minus one.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound + 1) % bound;
  uint64_t x;
  do x = g.next();
  while (x > limit);
  return x % bound;
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() { return splitmix64_next(state_); }
  uint64_t below(uint64_t bound) { return uniform_below(*this, bound); }
  // Uniform in the open interval (0, 1), from the top 53 bits.
  double unit_open() { return (static_cast<double>(next() >> 11) + 0.5) / 9007199254740992.0; }

 private:
  uint64_t state_;
};

// Mixes a seed with a stream label so that different operations on the same seed draw
// independent streams (e.g. split and sample of the same data).
inline uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  SplitMix64 g(seed ^ (stream * 0xd1342543de82ef95ULL));
  g.next();
  return g.next();
}

class Xoshiro256ss {
 public:
  // The four words of state are the first four splitmix64 outputs from `seed`.
  explicit Xoshiro256ss(uint64_t seed) {
    for (auto& w : s_) w = splitmix64_next(seed);
  }
  uint64_t next() {
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
  uint64_t below(uint64_t bound) { return uniform_below(*this, bound); }

 private:
  uint64_t s_[4];
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

}  // namespace sftx::rt
