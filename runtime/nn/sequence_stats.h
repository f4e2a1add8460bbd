// What the worker computes over whole sequences without generating: the log-probability of the
// masked tokens (perplexity) and the mean hidden state of a layer (the paper's t-SNE). Batched
// with right padding, which causal attention never sees, so a sequence scores the same alone or
// in a batch.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/nn/model.h"

namespace sftx::rt {

// Sum of log p(ids[t] | ids[<t]) over t >= 1 with mask[t] = 1, for each sequence, batched with
// right padding. Returns (sum, count) per sequence.
std::vector<std::pair<double, int64_t>> sequence_logprobs(Llama& model, const std::vector<std::vector<int64_t>>& ids,
                                                          const std::vector<std::vector<int64_t>>& masks);

// Mean over each prompt's tokens of HF's hidden_states[layer] (0 = embeddings, L = after decoder
// layer L, num_hidden_layers = final normed output; negative counts from the end, -1 = last).
std::vector<std::vector<float>> mean_hidden_states(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                                   int64_t layer);

}  // namespace sftx::rt
