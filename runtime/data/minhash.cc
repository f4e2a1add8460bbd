#include "runtime/data/minhash.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <thread>

#include <xxhash.h>

#include "runtime/base/prng.h"
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
  const double fp_weight = 0.01, fn_weight = 0.99;
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
  std::vector<uint64_t> shingles = shingle_hashes(text, ngram_);
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

std::vector<uint64_t> shingle_hashes(std::string_view text, int ngram) {
  std::vector<uint64_t> w = word_hashes(text), s;
  if (static_cast<int>(w.size()) < ngram) return {XXH3_64bits(w.data(), w.size() * sizeof(uint64_t))};
  for (size_t i = 0; i + ngram <= w.size(); ++i) s.push_back(XXH3_64bits(&w[i], ngram * sizeof(uint64_t)));
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return s;
}

double exact_jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else ++inter, ++i, ++j;
  }
  size_t uni = a.size() + b.size() - inter;
  return uni == 0 ? 1.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

MinHashClusters cluster_signatures(const std::vector<uint32_t>& sig, int64_t n, const MinHashParams& params,
                                   const ExactJaccardFn& exact) {
  MinHashClusters result;
  const int k = params.num_perm;
  if (static_cast<int64_t>(sig.size()) != n * k) throw std::invalid_argument("minhash: signature array size mismatch");
  auto [bands, rows] = params.bands > 0 && params.rows > 0 ? std::pair<int, int>{params.bands, params.rows}
                                                          : optimal_bands_rows(params.threshold, k);
  if (bands * rows > k) throw std::invalid_argument("minhash: bands * rows exceeds num_perm");
  result.bands = bands, result.rows = rows;
  result.exact = static_cast<bool>(exact);

  // 1. Candidate pairs: documents sharing a bucket in some band. Members of a bucket beyond
  // kAllPairsUpTo are paired with the bucket's first few only, which bounds the work on
  // degenerate buckets (thousands of identical boilerplate documents; they chain anyway).
  const size_t kAllPairsUpTo = 32;
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::vector<std::pair<uint64_t, int64_t>> keyed(static_cast<size_t>(n));
  for (int band = 0; band < bands; ++band) {
    for (int64_t d = 0; d < n; ++d)
      keyed[d] = {XXH3_64bits_withSeed(&sig[d * k + band * rows], rows * sizeof(uint32_t), band), d};
    std::sort(keyed.begin(), keyed.end());
    for (size_t lo = 0; lo < keyed.size();) {
      size_t hi = lo + 1;
      while (hi < keyed.size() && keyed[hi].first == keyed[lo].first) ++hi;
      bool all = hi - lo <= kAllPairsUpTo;
      for (size_t i = lo; i < hi; ++i)
        for (size_t j = all ? i + 1 : lo; j < (all ? hi : std::min(hi, lo + 4)); ++j)
          if (j != i) pairs.emplace_back(std::min(keyed[i].second, keyed[j].second), std::max(keyed[i].second, keyed[j].second));
      lo = hi;
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  result.candidate_pairs = static_cast<int64_t>(pairs.size());

  // 2. Verification, by the estimate or, for the plausible ones, exactly.
  std::vector<CandidatePair> checked;
  const double floor = exact ? params.threshold - kExactMargin : params.threshold;
  for (auto [a, b] : pairs) {
    double e = estimated_jaccard(&sig[a * k], &sig[b * k], k);
    if (e >= floor) checked.push_back({a, b, e});
  }
  result.verified_pairs = static_cast<int64_t>(checked.size());
  std::vector<double> jaccard(checked.size());
  if (exact) jaccard = exact(checked);
  else
    for (size_t i = 0; i < checked.size(); ++i) jaccard[i] = checked[i].estimate;
  if (jaccard.size() != checked.size()) throw std::logic_error("minhash: exact verifier returned the wrong count");

  // 3. Clusters; the root of each is its earliest document.
  UnionFind uf(n);
  for (size_t i = 0; i < checked.size(); ++i)
    if (jaccard[i] >= params.threshold) {
      ++result.duplicate_pairs;
      uf.unite(checked[i].a, checked[i].b);
    }
  result.representative.resize(static_cast<size_t>(n));
  for (int64_t d = 0; d < n; ++d) result.representative[d] = uf.find(d);
  return result;
}

}  // namespace sftx::rt
