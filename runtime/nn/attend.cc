#include "runtime/nn/attend.h"

#include <torch/version.h>

#include <cmath>
#include <limits>

namespace sftx::rt {

namespace {

// Causal over S keys for T queries that are the last T positions: tril with offset S - T.
torch::Tensor causal_mask(const torch::Tensor& q, const torch::Tensor& k) {
  const auto T = q.size(-2), S = k.size(-2);
  return torch::ones({T, S}, torch::TensorOptions().dtype(torch::kBool).device(q.device())).tril(S - T);
}

}  // namespace

torch::Tensor attend_reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  const torch::Tensor allowed = mask.defined() ? mask : causal_mask(q, k);
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  torch::Tensor probs = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type());
  return torch::matmul(probs, v);
}

#if TORCH_VERSION_MAJOR >= 2
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& mask) {
  if (mask.defined()) return at::scaled_dot_product_attention(q, k, v, mask, 0.0, /*is_causal=*/false);
  // SDPA's is_causal aligns the mask top-left (row t sees keys 0 .. t), which is right only when
  // T == S; a cache step with T < S needs the bottom-right alignment, so it gets an explicit mask.
  if (q.size(-2) == k.size(-2)) return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);
  return at::scaled_dot_product_attention(q, k, v, causal_mask(q, k), 0.0, /*is_causal=*/false);
}
bool attend_is_fused() { return true; }
#else
// LibTorch 1.13 has no fused kernel.
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& mask) {
  return attend_reference(q, k, v, mask);
}
bool attend_is_fused() { return false; }
#endif

}  // namespace sftx::rt
