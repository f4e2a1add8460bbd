// The one pseudo-random generator behind every seeded data operation (scale, mix, split,
// sample). Fixed and written out here, rather than std::shuffle or std::uniform_int_distribution
// whose results differ between standard libraries, so a seed gives the same records on every
// machine and compiler.
//
// Generator: splitmix64 (Steele, Lea, Flood 2014). Bounded integers: rejection sampling,
// unbiased. Permutations: Fisher–Yates, front to back, so the first m entries of
// partial_permutation(n, m, seed) are the first m entries of the full permutation: a
// smaller fraction of the same data with the same seed is a subset of a larger one.
#pragma once

#include <cstdint>
#include <vector>

namespace sftx::rt {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); bound > 0. Rejects the top sliver of 2^64 that would bias the result.
  uint64_t below(uint64_t bound);

 private:
  uint64_t state_;
};

// Mixes a seed with a stream label so that different operations on the same seed draw
// independent streams (e.g. split and sample of the same data).
uint64_t derive_seed(uint64_t seed, uint64_t stream);

// The first m entries of a seeded uniform permutation of 0..n-1 (m <= n).
std::vector<uint64_t> partial_permutation(uint64_t n, uint64_t m, uint64_t seed);
inline std::vector<uint64_t> permutation(uint64_t n, uint64_t seed) { return partial_permutation(n, n, seed); }

// A seeded choice of exactly m of n indices, returned as a membership mask (for streaming
// the chosen records in their original order).
std::vector<bool> choose_mask(uint64_t n, uint64_t m, uint64_t seed);

// floor(num * n / den) without overflow (num, den >= 0, den > 0).
int64_t floor_scaled(int64_t num, int64_t den, int64_t n);

}  // namespace sftx::rt
