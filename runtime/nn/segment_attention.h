// Causal attention within packed document segments, computed a chunk of queries at a time so that
// no B x H x T x T score tensor (nor the dense mask) is ever built, forward or backward.
//
// A query chunk [t0, t1) attends to keys [key_start, t1): key_start is the first key any query of
// the chunk may see (0 for plain causal attention; the start of the earliest segment the chunk
// touches for packed blocks), so the work is about T^2/2 instead of T^2, and less again when
// documents are short. Inside the window an additive 0/-inf bias (built once per forward, shared
// by every layer and head) applies the rule of segment_attention_mask (model.h) exactly. The
// backward pass recomputes each chunk's probabilities instead of keeping them (as FlashAttention
// does), so activation memory is O(B H T d), not O(B H T^2).
//
// Grouped-query attention is handled by grouping the query heads of each key/value head in the
// batched matmuls, so keys and values are never repeated in memory.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace sftx::rt {

// Where each chunk of queries looks. Built once per forward pass (model.cc: LlamaImpl::hidden).
struct SegmentLayout {
  int64_t length = 0;                // T
  int64_t chunk = 0;                 // queries per chunk (the last chunk may be shorter)
  std::vector<int64_t> key_start;    // per chunk: first key of its window
  // Per chunk: [B or 1, chunk rows, window - bias_column] of 0 / -inf in q's dtype, for the window's
  // columns from bias_column on (the columns before it are open to every row, so not added).
  std::vector<torch::Tensor> bias;
  std::vector<int64_t> bias_column;
};

// segment_ids [B, T] (any integer dtype) or undefined (plain causal attention over T tokens).
// chunk <= 0 picks the default.
SegmentLayout segment_layout(const torch::Tensor& segment_ids, int64_t T, torch::ScalarType dtype,
                             torch::Device device, int64_t chunk = 0);

// softmax(q k^T / sqrt(d) + mask) v for q [B, H, T, d], k and v [B, KV, T, d] (H a multiple of
// KV; strides free). Returns [B, T, H, d] contiguous: the layout the output projection reads.
// Differentiable in q, k and v.
torch::Tensor segment_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const SegmentLayout& layout);

// The allowed-keys rule of packed blocks on a window: bool [B, t1 - t0, t1 - key_start], true where
// query t in [t0, t1) may attend key s in [key_start, t1): s <= t in the same non-zero segment, or
// s == t (so padding rows are never empty). segment_attention_mask (model.h) is the whole square.
torch::Tensor segment_mask_window(const torch::Tensor& segment_ids, int64_t t0, int64_t t1, int64_t key_start);

}  // namespace sftx::rt
