// Scaled dot-product attention, the one kernel the model's attention layer calls.
//
// attend(): with LibTorch >= 2, at::scaled_dot_product_attention (the fused flash / memory-
// efficient kernels on CUDA, the flash kernel on CPU); with LibTorch 1.13, attend_reference.
// attend_reference(): the textbook computation (matmul, mask, float32 softmax, as HF's eager
// attention). It is compiled on every version so that tests compare the two on the 2.x build.
//
// q [B, H, T, d]; k, v [B, H, S, d] (grouped-query heads already repeated); mask [B or 1, 1, T, S]
// bool, true = may attend. An undefined mask means causal with the queries at the end of the keys
// (row t sees keys 0 .. S - T + t): plain blocks (T == S) and KV-cache steps without padding.
#pragma once

#include <torch/torch.h>

namespace sftx::rt {

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& mask);
torch::Tensor attend_reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask);

// True when attend() runs at::scaled_dot_product_attention (LibTorch >= 2).
bool attend_is_fused();

}  // namespace sftx::rt
