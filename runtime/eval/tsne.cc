#include "runtime/eval/tsne.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "runtime/base/prng.h"

namespace sftx::rt {
namespace {

// splitmix64 + Box-Muller: the same numbers on every platform (std::normal_distribution is not).
struct Gaussian {
  SplitMix64 uniform;
  double next() {
    double u = uniform.unit_open(), v = uniform.unit_open();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
  }
};

}  // namespace

std::vector<double> conditional_probabilities(const std::vector<double>& d, size_t self, double perplexity) {
  const size_t n = d.size();
  const double target = std::log(perplexity);  // entropy in nats
  double beta = 1.0, lo = 0.0, hi = INFINITY;
  std::vector<double> p(n, 0.0);
  // Subtracting the smallest distance keeps exp() from underflowing for far-apart points.
  double dmin = INFINITY;
  for (size_t j = 0; j < n; ++j)
    if (j != self) dmin = std::min(dmin, d[j]);
  for (int iter = 0; iter < 200; ++iter) {
    double sum = 0, weighted = 0;
    for (size_t j = 0; j < n; ++j) {
      p[j] = j == self ? 0.0 : std::exp(-(d[j] - dmin) * beta);
      sum += p[j];
      weighted += (d[j] - dmin) * p[j];
    }
    // H = log(sum) + beta * E[d - dmin]
    double h = std::log(sum) + beta * weighted / sum;
    for (auto& v : p) v /= sum;
    double diff = h - target;
    if (std::fabs(diff) < 1e-7) break;
    if (diff > 0) {  // too flat: sharpen
      lo = beta;
      beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
  return p;
}

std::vector<std::array<double, 2>> tsne(const std::vector<std::vector<double>>& x, const TsneOptions& opt) {
  const size_t n = x.size();
  if (n < 2) throw std::invalid_argument("t-SNE needs at least 2 points");
  const size_t dim = x[0].size();
  for (const auto& row : x)
    if (row.size() != dim) throw std::invalid_argument("t-SNE: points of different dimensions");

  std::vector<double> dist(n * n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      double s = 0;
      for (size_t k = 0; k < dim; ++k) {
        double t = x[i][k] - x[j][k];
        s += t * t;
      }
      dist[i * n + j] = dist[j * n + i] = s;
    }

  double perplexity = std::min(opt.perplexity, std::max(1.0, (static_cast<double>(n) - 1) / 3));
  std::vector<double> P(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> row(dist.begin() + static_cast<long>(i * n), dist.begin() + static_cast<long>((i + 1) * n));
    auto p = conditional_probabilities(row, i, perplexity);
    for (size_t j = 0; j < n; ++j) P[i * n + j] = p[j];
  }
  // Symmetrise: p_ij = (p(j|i) + p(i|j)) / 2n.
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      double v = std::max((P[i * n + j] + P[j * n + i]) / (2.0 * static_cast<double>(n)), 1e-12);
      P[i * n + j] = P[j * n + i] = v;
    }

  const double lr = opt.learning_rate > 0 ? opt.learning_rate
                                          : std::max(static_cast<double>(n) / opt.early_exaggeration / 4.0, 50.0);
  Gaussian g{SplitMix64(opt.seed)};
  std::vector<double> Y(n * 2), update(n * 2, 0.0), gains(n * 2, 1.0), grad(n * 2), num(n * n);
  for (auto& y : Y) y = 1e-4 * g.next();

  for (int it = 0; it < opt.iterations; ++it) {
    const bool early = it < opt.exaggeration_iterations;
    const double exaggeration = early ? opt.early_exaggeration : 1.0;
    const double momentum = early ? 0.5 : 0.8;
    double sum_num = 0;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i + 1; j < n; ++j) {
        double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
        double q = 1.0 / (1.0 + dx * dx + dy * dy);
        num[i * n + j] = num[j * n + i] = q;
        sum_num += 2 * q;
      }
    std::fill(grad.begin(), grad.end(), 0.0);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        double q = num[i * n + j];
        double mult = 4.0 * (exaggeration * P[i * n + j] - q / sum_num) * q;
        grad[2 * i] += mult * (Y[2 * i] - Y[2 * j]);
        grad[2 * i + 1] += mult * (Y[2 * i + 1] - Y[2 * j + 1]);
      }
    // Delta-bar-delta gains, momentum, then recentre.
    for (size_t k = 0; k < 2 * n; ++k) {
      bool same_sign = (grad[k] > 0) == (update[k] > 0);
      gains[k] = std::max(same_sign ? gains[k] * 0.8 : gains[k] + 0.2, 0.01);
      update[k] = momentum * update[k] - lr * gains[k] * grad[k];
      Y[k] += update[k];
    }
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; ++i) {
      mx += Y[2 * i];
      my += Y[2 * i + 1];
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    for (size_t i = 0; i < n; ++i) {
      Y[2 * i] -= mx;
      Y[2 * i + 1] -= my;
    }
  }
  std::vector<std::array<double, 2>> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = {Y[2 * i], Y[2 * i + 1]};
  return out;
}

}  // namespace sftx::rt
