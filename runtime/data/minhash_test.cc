#include "runtime/data/minhash.h"

#include <set>

#include <catch2/catch.hpp>

#include "runtime/base/prng.h"
#include "runtime/data/text_normalize.h"

using namespace sftx::rt;

namespace {
double true_jaccard(const std::string& a, const std::string& b, int n) {
  auto shingles = [n](const std::string& t) {
    auto w = words(t);
    std::set<std::string> s;
    for (size_t i = 0; i + n <= w.size(); ++i) {
      std::string g;
      for (int k = 0; k < n; ++k) g += w[i + k] + " ";
      s.insert(g);
    }
    return s;
  };
  auto sa = shingles(a), sb = shingles(b);
  size_t inter = 0;
  for (const auto& x : sa) inter += sb.count(x);
  return static_cast<double>(inter) / static_cast<double>(sa.size() + sb.size() - inter);
}
}  // namespace

TEST_CASE("bands x rows fit num_perm and put the S-curve's middle near the threshold") {
  for (double t : {0.5, 0.7, 0.85, 0.95}) {
    auto [b, r] = optimal_bands_rows(t, 128);
    INFO(t << " -> " << b << "x" << r);
    CHECK(b * r <= 128);
    double mid = std::pow(1.0 / b, 1.0 / r);  // where the S-curve is steepest
    CHECK(mid < t + 0.05);
    CHECK(mid > t - 0.25);
  }
}

TEST_CASE("estimated Jaccard tracks the true Jaccard of 5-gram sets") {
  MinHasher h(256, 5);
  SplitMix64 g(3);
  std::vector<std::string> w;
  for (int i = 0; i < 300; ++i) w.push_back("t" + std::to_string(g.below(5000)));
  auto text = [](const std::vector<std::string>& ws) {
    std::string s;
    for (const auto& x : ws) s += x + " ";
    return s;
  };
  std::string a = text(w);
  for (int changed : {1, 5, 20}) {
    auto v = w;
    for (int k = 0; k < changed; ++k) v[static_cast<size_t>(k * 300 / changed)] = "zz" + std::to_string(k);
    std::string b = text(v);
    std::vector<uint32_t> sa(256), sb(256);
    h.signature(a, sa.data());
    h.signature(b, sb.data());
    double truth = true_jaccard(a, b, 5);
    INFO(changed << " changed, true " << truth);
    CHECK(std::abs(estimated_jaccard(sa.data(), sb.data(), 256) - truth) < 0.1);
  }
}

TEST_CASE("signatures are the same whatever the thread count, short texts still hash") {
  MinHasher h(64, 5);
  std::vector<std::string> texts;
  for (int i = 0; i < 100; ++i) texts.push_back("doc " + std::to_string(i) + " has some words in it " + std::to_string(i * 7));
  texts.push_back("two words");
  std::vector<uint32_t> s1(texts.size() * 64), s4(texts.size() * 64);
  compute_signatures(h, texts, s1.data(), 1);
  compute_signatures(h, texts, s4.data(), 4);
  CHECK(s1 == s4);
  CHECK(s1[100 * 64] != UINT32_MAX);
}
