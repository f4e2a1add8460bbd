// The unbiased pass@k estimator of Chen et al. (2021), as the public HumanEval harness
// computes it: for a problem with n samples of which c pass,
//   pass@k = 1 - C(n-c, k) / C(n, k) = 1 - prod_{i=n-c+1}^{n} (1 - k/i),
// the product form avoiding huge binomials.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sftx::rt {

// n >= 1, 0 <= c <= n, k >= 1. Throws std::invalid_argument otherwise. 1.0 when n - c < k.
double pass_at_k(int64_t n, int64_t c, int64_t k);

struct ProblemTally {
  int64_t n = 0;  // samples
  int64_t c = 0;  // passing samples
};

// Mean pass@k over problems for each k. Like the public harness, a k is reported only when
// every problem has at least k samples; the others are left out of the result.
std::map<int64_t, double> mean_pass_at_k(const std::map<std::string, ProblemTally>& tallies,
                                         const std::vector<int64_t>& ks);

}  // namespace sftx::rt
