#include "runtime/eval/pass_at_k.h"

#include <stdexcept>
#include <string>

namespace sftx::rt {

double pass_at_k(int64_t n, int64_t c, int64_t k) {
  if (n < 1 || c < 0 || c > n || k < 1)
    throw std::invalid_argument("pass_at_k: need n >= 1, 0 <= c <= n, k >= 1 (got n=" + std::to_string(n) +
                                ", c=" + std::to_string(c) + ", k=" + std::to_string(k) + ")");
  if (n - c < k) return 1.0;
  double prod = 1.0;
  for (int64_t i = n - c + 1; i <= n; ++i) prod *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  return 1.0 - prod;
}

std::map<int64_t, double> mean_pass_at_k(const std::map<std::string, ProblemTally>& tallies,
                                         const std::vector<int64_t>& ks) {
  std::map<int64_t, double> out;
  if (tallies.empty()) return out;
  for (int64_t k : ks) {
    bool enough = true;
    for (const auto& [id, t] : tallies) enough = enough && t.n >= k;
    if (!enough) continue;
    double sum = 0;
    for (const auto& [id, t] : tallies) sum += pass_at_k(t.n, t.c, k);
    out[k] = sum / static_cast<double>(tallies.size());
  }
  return out;
}

}  // namespace sftx::rt
