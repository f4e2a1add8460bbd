// Seeded choices behind every data operation (scale, mix, split, sample), drawn from the
// splitmix64 generator of runtime/base/prng.h so a seed gives the same records on every machine
// and compiler. Permutations: Fisher–Yates, front to back, so the first m entries of
// partial_permutation(n, m, seed) are the first m entries of the full permutation: a
// smaller fraction of the same data with the same seed is a subset of a larger one.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/base/prng.h"

namespace sftx::rt {

// The first m entries of a seeded uniform permutation of 0..n-1 (m <= n).
std::vector<uint64_t> partial_permutation(uint64_t n, uint64_t m, uint64_t seed);
inline std::vector<uint64_t> permutation(uint64_t n, uint64_t seed) { return partial_permutation(n, n, seed); }

// A seeded choice of exactly m of n indices, returned as a membership mask (for streaming
// the chosen records in their original order).
std::vector<bool> choose_mask(uint64_t n, uint64_t m, uint64_t seed);

// floor(num * n / den) without overflow (num, den >= 0, den > 0).
int64_t floor_scaled(int64_t num, int64_t den, int64_t n);

}  // namespace sftx::rt
