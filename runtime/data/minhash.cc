#include "runtime/data/minhash.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <thread>

#include <xxhash.h>

#include "runtime/data/prng.h"
#include "runtime/data/text_normalize.h"
#include "runtime/data/union_find.h"

namespace sftx::rt {

namespace {
double integrate(double lo, double hi, const std::function<double(double)>& f) {
  const int steps = 200;  // midpoint rule; the curve is smooth
  double h = (hi - lo) / steps, sum = 0;
  for (int i = 0; i < steps; ++i) sum += f(lo + (i + 0.5) * h);
  return sum * h;
}
}  // namespace

std::pair<int, int> optimal_bands_rows(double threshold, int num_perm) {
  const double fp_weight = 0.2, fn_weight = 0.8;
  double best = 1e300;
  std::pair<int, int> best_br{1, num_perm};
  for (int b = 1; b <= num_perm; ++b) {
    for (int r = 1; b * r <= num_perm; ++r) {
      auto p = [&](double s) { return 1 - std::pow(1 - std::pow(s, r), b); };
      double fp = integrate(0, threshold, p);
      double fn = integrate(threshold, 1, [&](double s) { return 1 - p(s); });
      double err = fp_weight * fp + fn_weight * fn;
      if (err < best - 1e-12) best = err, best_br = {b, r};
    }
  }
  return best_br;
}

MinHasher::MinHasher(int num_perm, int ngram) : num_perm_(num_perm), ngram_(ngram) {
  if (num_perm < 1 || num_perm > 4096) throw std::invalid_argument("minhash: num_perm must be in 1..4096");
  if (ngram < 1) throw std::invalid_argument("minhash: ngram must be >= 1");
  SplitMix64 g(0x4d696e48617368ULL);  // "MinHash": fixed, so signatures are comparable across runs
  for (int i = 0; i < num_perm; ++i) {
    a_.push_back(g.next() | 1);
    b_.push_back(g.next());
  }
}

void MinHasher::signature(std::string_view text, uint32_t* out) const {
  std::vector<uint64_t> w = word_hashes(text);
  std::vector<uint64_t> shingles;
  if (static_cast<int>(w.size()) < ngram_) {
    shingles.push_back(XXH3_64bits(w.data(), w.size() * sizeof(uint64_t)));
  } else {
    shingles.reserve(w.size() - ngram_ + 1);
    for (size_t i = 0; i + ngram_ <= w.size(); ++i) shingles.push_back(XXH3_64bits(&w[i], ngram_ * sizeof(uint64_t)));
    std::sort(shingles.begin(), shingles.end());
    shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
  }
  // Loop order: permutations inside, so the compiler vectorises the multiply-add-min.
  std::vector<uint64_t> mins(num_perm_, UINT64_MAX);
  const uint64_t* a = a_.data();
  const uint64_t* b = b_.data();
  uint64_t* m = mins.data();
  for (uint64_t x : shingles)
    for (int i = 0; i < num_perm_; ++i) {
      uint64_t v = (a[i] * x + b[i]) >> 32;
      m[i] = v < m[i] ? v : m[i];
    }
  for (int i = 0; i < num_perm_; ++i) out[i] = static_cast<uint32_t>(mins[i]);
}

void compute_signatures(const MinHasher& hasher, const std::vector<std::string>& texts, uint32_t* out, int threads) {
  const size_t n = texts.size(), k = static_cast<size_t>(hasher.num_perm());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n / 16 + 1)));
  auto work = [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) hasher.signature(texts[i], out + i * k);
  };
  if (threads == 1) return work(0, n);
  std::vector<std::thread> pool;
  size_t per = (n + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    size_t lo = std::min(n, t * per), hi = std::min(n, lo + per);
    pool.emplace_back(work, lo, hi);
  }
  for (auto& th : pool) th.join();
}

double estimated_jaccard(const uint32_t* a, const uint32_t* b, int num_perm) {
  int same = 0;
  for (int i = 0; i < num_perm; ++i) same += a[i] == b[i];
  return static_cast<double>(same) / num_perm;
}

MinHashClusters cluster_signatures(const std::vector<uint32_t>& sig, int64_t n, const MinHashParams& params) {
  MinHashClusters result;
  const int k = params.num_perm;
  if (static_cast<int64_t>(sig.size()) != n * k) throw std::invalid_argument("minhash: signature array size mismatch");
  auto [bands, rows] = params.bands > 0 && params.rows > 0 ? std::pair<int, int>{params.bands, params.rows}
                                                          : optimal_bands_rows(params.threshold, k);
  if (bands * rows > k) throw std::invalid_argument("minhash: bands * rows exceeds num_perm");
  result.bands = bands, result.rows = rows;
  UnionFind uf(n);
  std::vector<std::pair<uint64_t, int64_t>> keyed(static_cast<size_t>(n));
  // Members of a bucket beyond this are compared with the first few only, which bounds the
  // work on degenerate buckets (thousands of identical boilerplate documents).
  const size_t kAllPairsUpTo = 32;
  for (int band = 0; band < bands; ++band) {
    for (int64_t d = 0; d < n; ++d)
      keyed[d] = {XXH3_64bits_withSeed(&sig[d * k + band * rows], rows * sizeof(uint32_t), band), d};
    std::sort(keyed.begin(), keyed.end());
    for (size_t lo = 0; lo < keyed.size();) {
      size_t hi = lo + 1;
      while (hi < keyed.size() && keyed[hi].first == keyed[lo].first) ++hi;
      size_t size = hi - lo;
      for (size_t i = lo; i < hi; ++i) {
        size_t jmax = size <= kAllPairsUpTo ? hi : std::min(hi, lo + 4);
        for (size_t j = (size <= kAllPairsUpTo ? i + 1 : lo); j < jmax; ++j) {
          if (j == i) continue;
          int64_t x = keyed[i].second, y = keyed[j].second;
          if (uf.find(x) == uf.find(y)) continue;
          ++result.candidate_pairs;
          if (estimated_jaccard(&sig[x * k], &sig[y * k], k) >= params.threshold) {
            ++result.duplicate_pairs;
            uf.unite(x, y);
          }
        }
      }
      lo = hi;
    }
  }
  result.representative.resize(static_cast<size_t>(n));
  for (int64_t d = 0; d < n; ++d) result.representative[d] = uf.find(d);
  return result;
}

}  // namespace sftx::rt
