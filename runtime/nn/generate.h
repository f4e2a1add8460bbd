// Batched generation with a KV cache: greedy or temperature / top-p sampling (sampling.h), EOS,
// stop strings (detokenizer.h), max_new_tokens.
//
// Batching: prompts are left-padded to a common length. Padding keys are masked out of attention
// and each row's rotary positions start at 0 at its first real token, so a prompt generates the
// same tokens alone or in any batch (up to float rounding in near-ties).
//
// Cost per step: one forward for all rows still generating (the prompts once, then one token per
// row against the cache). The cache is allocated once, for prompt + max_new_tokens positions;
// a row that ends (EOS, stop string) is dropped from the batch and its cache at that step, so
// the rest decode without it.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/nn/detokenizer.h"
#include "runtime/nn/model.h"

namespace sftx::rt {

struct GenerationOptions {
  int64_t max_new_tokens = 256;
  double temperature = 0.0;  // 0 = greedy
  double top_p = 1.0;
  uint64_t seed = 0;
  std::vector<int64_t> eos_ids;    // generation of a row ends at any of these (not included)
  std::vector<std::string> stop;   // ... or when its text contains one (text cut before it)
  const Detokenizer* detokenizer = nullptr;  // needed for stop strings and for text
  bool use_cache = true;           // false: recompute the whole sequence every step (tests)
};

struct Generation {
  std::vector<int64_t> ids;  // generated tokens (EOS excluded)
  std::string text;          // their text, cut before a stop string ("" without a detokenizer)
  std::string finish;        // "stop" (EOS or stop string) or "length"
};

// Generates for one batch of prompts (each non-empty). sample_keys[i] seeds row i's sampler
// (with options.seed), so a prompt's sample does not depend on its batch; empty = 0, 1, 2, ...
std::vector<Generation> generate_batch(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                       const GenerationOptions& options,
                                       const std::vector<uint64_t>& sample_keys = {});

}  // namespace sftx::rt
