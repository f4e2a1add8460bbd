// Exact t-SNE (van der Maaten & Hinton 2008) in plain C++, for the paper's D1 figure: the
// hidden states of prompts from several sources projected to 2-D. O(n^2) per iteration,
// fine for n up to about a thousand. Deterministic for a seed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sftx::rt {

struct TsneOptions {
  double perplexity = 30;          // clamped to (n - 1) / 3 for small n
  int iterations = 1000;
  double learning_rate = 0;       // 0: max(n / exaggeration / 4, 50), as scikit-learn's "auto"
  double early_exaggeration = 12;
  int exaggeration_iterations = 250;  // also when momentum rises from 0.5 to 0.8
  uint64_t seed = 0;
};

// points: n rows of equal dimension (n >= 2). Returns n 2-D positions. Throws
// std::invalid_argument on ragged or too few rows.
std::vector<std::array<double, 2>> tsne(const std::vector<std::vector<double>>& points, const TsneOptions& options = {});

// Row i's conditional probabilities p(j|i) over squared distances d (d[i] = 0 ignored), with
// the Gaussian precision found by bisection so that the entropy is log(perplexity).
// Exposed for testing: the result's perplexity 2^H equals the target.
std::vector<double> conditional_probabilities(const std::vector<double>& squared_distances, size_t self,
                                              double perplexity);

}  // namespace sftx::rt
