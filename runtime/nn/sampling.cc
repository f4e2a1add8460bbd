#include "runtime/nn/sampling.h"

#include "runtime/base/prng.h"

namespace sftx::rt {

std::mt19937_64 row_sampler(uint64_t seed, uint64_t key) {
  return std::mt19937_64(splitmix64_mix(splitmix64_mix(seed) ^ key));
}

int64_t sample_row(const float* probs, const int64_t* order, int64_t V, double top_p, std::mt19937_64& rng) {
  int64_t keep = V;
  double mass = 0;
  if (order) {
    keep = 0;
    while (keep < V && (keep == 0 || mass < top_p)) mass += probs[keep++];
  } else {
    for (int64_t i = 0; i < V; ++i) mass += probs[i];
  }
  const double u = std::uniform_real_distribution<double>(0.0, mass)(rng);
  double acc = 0;
  int64_t pick = keep - 1;  // u rounding past the last bucket
  for (int64_t i = 0; i < keep; ++i) {
    acc += probs[i];
    if (u < acc) {
      pick = i;
      break;
    }
  }
  return order ? order[pick] : pick;
}

}  // namespace sftx::rt
