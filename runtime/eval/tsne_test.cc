#include "runtime/eval/tsne.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace sftx::rt;

namespace {
// Three clusters in 8-D: centres far apart, small deterministic jitter.
std::vector<std::vector<double>> clusters(int per, std::vector<int>& label) {
  std::vector<std::vector<double>> x;
  uint64_t s = 7;
  auto jitter = [&s] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>((s >> 33) % 1000) / 1000.0 - 0.5;
  };
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < per; ++i) {
      std::vector<double> p(8);
      for (int k = 0; k < 8; ++k) p[k] = (k == c ? 20.0 : 0.0) + jitter();
      x.push_back(p);
      label.push_back(c);
    }
  return x;
}
double dist(const std::array<double, 2>& a, const std::array<double, 2>& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1]);
}
}  // namespace

TEST_CASE("tsne: the bisection hits the target perplexity", "[tsne]") {
  std::vector<double> d{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto p = conditional_probabilities(d, 0, 4.0);
  double h = 0, sum = 0;
  for (double v : p) {
    sum += v;
    if (v > 0) h -= v * std::log(v);
  }
  CHECK(sum == Approx(1.0));
  CHECK(p[0] == 0.0);
  CHECK(std::exp(h) == Approx(4.0).epsilon(1e-4));
  CHECK(p[1] > p[2]);
}

TEST_CASE("tsne: well-separated clusters stay together, deterministically", "[tsne]") {
  std::vector<int> label;
  auto x = clusters(15, label);
  TsneOptions opt;
  opt.perplexity = 10;
  opt.iterations = 1000;
  opt.seed = 3;
  auto y = tsne(x, opt);
  REQUIRE(y.size() == 45);
  // Every point's nearest neighbour in 2-D is from its own cluster, and every point is nearer
  // its cluster's centroid than any other cluster's.
  std::array<std::array<double, 2>, 3> centre{};
  for (size_t i = 0; i < y.size(); ++i) {
    centre[label[i]][0] += y[i][0] / 15;
    centre[label[i]][1] += y[i][1] / 15;
  }
  int nn_ok = 0, centroid_ok = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    size_t best = i == 0 ? 1 : 0;
    for (size_t j = 0; j < y.size(); ++j)
      if (j != i && dist(y[i], y[j]) < dist(y[i], y[best])) best = j;
    nn_ok += label[best] == label[i];
    bool nearest_own = true;
    for (int c = 0; c < 3; ++c)
      if (c != label[i] && dist(y[i], centre[c]) <= dist(y[i], centre[label[i]])) nearest_own = false;
    centroid_ok += nearest_own;
  }
  CHECK(nn_ok == 45);
  CHECK(centroid_ok == 45);
  auto again = tsne(x, opt);
  CHECK(again == y);
  opt.seed = 4;
  CHECK(tsne(x, opt) != y);
  CHECK_THROWS(tsne({{1.0}}, opt));
  CHECK_THROWS(tsne({{1.0, 2.0}, {1.0}}, opt));
}
