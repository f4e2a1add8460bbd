// Test helpers (header only, for the nn *_test.cc files): the tiny model configuration the tests
// share, and a random model whose next-token distribution is peaked, so greedy decoding is far
// from ties and batched results can be compared with unbatched ones exactly.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "runtime/nn/model.h"

namespace sftx::rt::testing {

// The shape the nn tests' models share: 2 layers, hidden size 32, 4 attention heads over 2
// key-value heads (grouped-query attention). Each test sets what it varies on top.
inline LlamaConfig tiny_config(int64_t vocab_size, int64_t intermediate_size, bool tied = false) {
  LlamaConfig c;
  c.vocab_size = vocab_size;
  c.hidden_size = 32;
  c.intermediate_size = intermediate_size;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.tie_word_embeddings = tied;
  return c;
}

// Larger initial weights than HF's 0.02, so the random model's next-token distribution is peaked
// and greedy decoding is far from ties.
inline Llama peaked_model(uint64_t seed, bool tied = false) {
  LlamaConfig c = tiny_config(40, 48, tied);
  c.initializer_range = 0.3;
  torch::manual_seed(seed);
  Llama m(c);
  m->eval();
  return m;
}

}  // namespace sftx::rt::testing
