// Drawing the next token from a row of probabilities: temperature sampling and nucleus (top-p)
// sampling, each row from its own seeded stream so a prompt's sample does not depend on the batch
// it is in.
#pragma once

#include <cstdint>
#include <random>

namespace sftx::rt {

// The stream of row `key` (a prompt's index) under a generation seed.
std::mt19937_64 row_sampler(uint64_t seed, uint64_t key);

// Draws one token from a row of probabilities (temperature already applied). With top_p < 1 the
// row comes sorted in descending order with `order` mapping back to token ids, and only the
// smallest prefix whose mass reaches top_p is eligible (nucleus sampling); else order is null and
// every token is eligible.
int64_t sample_row(const float* probs, const int64_t* order, int64_t V, double top_p, std::mt19937_64& rng);

}  // namespace sftx::rt
