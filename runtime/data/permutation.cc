#include "runtime/data/permutation.h"

#include <numeric>
#include <stdexcept>

namespace sftx::rt {

std::vector<uint64_t> partial_permutation(uint64_t n, uint64_t m, uint64_t seed) {
  if (m > n) throw std::invalid_argument("partial_permutation: m > n");
  std::vector<uint64_t> p(n);
  std::iota(p.begin(), p.end(), uint64_t{0});
  SplitMix64 g(seed);
  for (uint64_t i = 0; i < m && i + 1 < n; ++i) {
    uint64_t j = i + g.below(n - i);
    std::swap(p[i], p[j]);
  }
  p.resize(m);
  return p;
}

std::vector<bool> choose_mask(uint64_t n, uint64_t m, uint64_t seed) {
  std::vector<bool> mask(n, false);
  for (uint64_t i : partial_permutation(n, m, seed)) mask[i] = true;
  return mask;
}

int64_t floor_scaled(int64_t num, int64_t den, int64_t n) {
  if (den <= 0 || num < 0 || n < 0) throw std::invalid_argument("floor_scaled: negative or zero denominator");
  __int128 v = static_cast<__int128>(num) * n / den;
  return static_cast<int64_t>(v);
}

}  // namespace sftx::rt
