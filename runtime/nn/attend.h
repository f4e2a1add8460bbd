// Scaled dot-product attention, the one kernel the model's attention layer calls.
//
// attend(): with LibTorch >= 2, at::scaled_dot_product_attention (the fused flash / memory-
// efficient kernels on CUDA, the flash kernel on CPU); with LibTorch 1.13, in float32/float64,
// attend_gemm() below; otherwise attend_reference.
// attend_reference(): the textbook computation (repeat the key/value heads, matmul, mask,
// float32 softmax, as HF's eager attention). It is compiled on every version so that tests
// compare the others with it.
//
// q [B, H, T, d]; k, v [B, G, S, d] with H a multiple of G (grouped-query attention: query head
// h reads key/value head h / (H / G), as HF's repeat_kv pairs them). mask [B or 1, 1, T, S]: bool
// (true = may attend) or floating and additive (0 = may attend, -inf = may not), as SDPA takes
// it. An undefined mask means causal with the queries at the end of the keys (row t sees keys
// 0 .. S - T + t): plain blocks (T == S) and KV-cache steps without padding. A given mask only
// ever narrows that causal one (packed segments, padding; every mask of a causal LM does):
// attend_gemm skips the keys after a query's causal position without reading the mask there.
#pragma once

#include <torch/torch.h>

namespace sftx::rt {

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& mask);
torch::Tensor attend_reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask);

// LibTorch 1.13's CPU path (float32/float64), exposed for its tests: the n_rep query heads that
// share a key/value head are rows of one GEMM against that head (keys and values are never
// repeated, nor their gradients summed back); the queries go in blocks that skip the keys no
// row of the block may see (about half the work of a long causal block); the scores are written
// once, as mask + scale * q k^T by one in-place baddbmm on a copy of the additive mask, where
// the textbook computation writes them four times (the GEMM's zeroing, the scale, the
// masked_fill, and again for the backward of the last two).
torch::Tensor attend_gemm(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                          const torch::Tensor& mask);

// The mask in the form attend() is fastest with, made once per forward and shared by every
// layer: on LibTorch 1.13 in float32/float64 the additive form in `dtype`; otherwise `mask`
// unchanged (SDPA's kernels take the bool form). Undefined stays undefined.
torch::Tensor prepare_attention_mask(const torch::Tensor& mask, torch::ScalarType dtype);

// Query heads per key/value head (H / G); refused unless H is a multiple of G.
int64_t heads_per_kv_head(const torch::Tensor& q, const torch::Tensor& k);

// The additive form of a mask (0 = may attend, -inf = may not) in `dtype`: a bool mask converted,
// a floating one cast; undefined stays undefined.
torch::Tensor additive_attention_mask(const torch::Tensor& mask, torch::ScalarType dtype);

// True when attend() runs at::scaled_dot_product_attention (LibTorch >= 2).
bool attend_is_fused();

}  // namespace sftx::rt
