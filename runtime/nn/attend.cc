#include "runtime/nn/attend.h"

#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/nn/cpu_attention.h"

namespace sftx::rt {

namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

// Causal over S keys for T queries that are the last T positions: tril with offset S - T.
torch::Tensor causal_mask(const torch::Tensor& q, const torch::Tensor& k) {
  const auto T = q.size(-2), S = k.size(-2);
  return torch::ones({T, S}, torch::TensorOptions().dtype(torch::kBool).device(q.device())).tril(S - T);
}

// [B, G, S, d] -> [B, G * n_rep, S, d], head h = g * n_rep + r (HF's repeat_kv).
torch::Tensor repeat_kv(const torch::Tensor& x, int64_t n_rep) {
  if (n_rep == 1) return x;
  const auto B = x.size(0), G = x.size(1), S = x.size(2), d = x.size(3);
  return x.unsqueeze(2).expand({B, G, n_rep, S, d}).reshape({B, G * n_rep, S, d});
}

// The additive form of any mask, in q's dtype; an undefined mask is the causal one, [T, S].
torch::Tensor additive_mask(const torch::Tensor& mask, const torch::Tensor& q, const torch::Tensor& k) {
  if (!mask.defined()) {
    const auto T = q.size(-2), S = k.size(-2);
    return torch::full({T, S}, kMinusInf, q.options().requires_grad(false)).triu_(S - T + 1);
  }
  return additive_attention_mask(mask, q.scalar_type());
}

}  // namespace

int64_t heads_per_kv_head(const torch::Tensor& q, const torch::Tensor& k) {
  const int64_t H = q.size(1), G = k.size(1);
  TORCH_CHECK(G > 0 && H % G == 0, "attention: ", H, " query heads are not a multiple of ", G, " key/value heads");
  return H / G;
}

torch::Tensor additive_attention_mask(const torch::Tensor& mask, torch::ScalarType dtype) {
  if (!mask.defined()) return mask;
  if (mask.is_floating_point()) return mask.to(dtype);
  return torch::zeros(mask.sizes(), mask.options().dtype(dtype)).masked_fill_(mask.logical_not(), kMinusInf);
}

torch::Tensor attend_reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask) {
  const int64_t n_rep = heads_per_kv_head(q, k);
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  torch::Tensor scores = torch::matmul(q, repeat_kv(k, n_rep).transpose(-2, -1)) * scale;
  if (mask.defined() && mask.is_floating_point()) {
    scores = scores + mask.to(scores.scalar_type());
  } else {
    const torch::Tensor allowed = mask.defined() ? mask : causal_mask(q, k);
    scores = scores.masked_fill(allowed.logical_not(), kMinusInf);
  }
  torch::Tensor probs = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type());
  return torch::matmul(probs, repeat_kv(v, n_rep));
}

torch::Tensor attend_gemm(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                          const torch::Tensor& mask) {
  const int64_t n_rep = heads_per_kv_head(q, k);
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), d = q.size(3);
  const int64_t G = k.size(1), S = k.size(2);
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  const torch::Tensor keys = k.reshape({B * G, S, d});
  const torch::Tensor values = v.reshape({B * G, S, d});
  torch::Tensor bias = additive_mask(mask, q, k);
  bias = bias.reshape({bias.dim() == 2 ? 1 : bias.size(0), 1, 1, T, S});

  // Causal split: the queries go in blocks of about kBlockRows, and a block multiplies and
  // normalises over only the keys its last row may see (S - T + its end), since every mask here
  // is causal (attend.h). With n blocks that is (n + 1) / 2n of the T x S work.
  constexpr int64_t kBlockRows = 128, kMaxBlocks = 8;
  const int64_t blocks = std::clamp<int64_t>(T / kBlockRows, 1, kMaxBlocks);
  std::vector<torch::Tensor> outs;
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t first = T * i / blocks, rows = T * (i + 1) / blocks - first;
    const int64_t seen = S - T + first + rows;
    // Rows of group b * G + g: its n_rep query heads' block rows, head-major (h = g * n_rep + r).
    const torch::Tensor queries = q.narrow(2, first, rows).reshape({B * G, n_rep * rows, d});
    // The scores start as the additive mask, broadcast over groups and repeated heads: a fresh
    // buffer, never a view of the mask, since the GEMM then accumulates into it in place.
    torch::Tensor scores = torch::empty({B * G, n_rep * rows, seen}, q.options().requires_grad(false));
    scores.view({B, G, n_rep, rows, seen})
        .copy_(bias.narrow(3, first, rows).narrow(4, 0, seen).expand({B, G, n_rep, rows, seen}));
    scores.baddbmm_(queries, keys.narrow(1, 0, seen).transpose(1, 2), /*beta=*/1, /*alpha=*/scale);
    outs.push_back(torch::bmm(torch::softmax(scores, -1), values.narrow(1, 0, seen)).view({B, H, rows, d}));
  }
  return blocks == 1 ? outs.front() : torch::cat(outs, 2);
}

torch::Tensor prepare_attention_mask(const torch::Tensor& mask, torch::ScalarType dtype) {
  if (!mask.defined() || mask.is_floating_point() || TORCH_VERSION_MAJOR >= 2 ||
      (dtype != torch::kFloat32 && dtype != torch::kFloat64))
    return mask;
  return additive_attention_mask(mask, dtype);
}

#if TORCH_VERSION_MAJOR >= 2
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& mask) {
  const int64_t n_rep = heads_per_kv_head(q, k);
  const int64_t B = q.size(0), T = q.size(2), G = k.size(1), d = q.size(3);
  if (T == 1 && n_rep > 1 && mask.defined()) {
    // One new token per row (a decode step): the n_rep query heads that share a key/value head
    // become n_rep query rows of that head, so the cached keys and values are read where they
    // are instead of repeated. The mask [B, 1, 1, S] broadcasts over both.
    const torch::Tensor grouped =
        at::scaled_dot_product_attention(q.reshape({B, G, n_rep, d}), k, v, mask, 0.0, /*is_causal=*/false);
    return grouped.reshape({B, G * n_rep, 1, d});
  }
  const torch::Tensor keys = repeat_kv(k, n_rep), values = repeat_kv(v, n_rep);
  if (mask.defined()) return at::scaled_dot_product_attention(q, keys, values, mask, 0.0, /*is_causal=*/false);
  // SDPA's is_causal aligns the mask top-left (row t sees keys 0 .. t), which is right only when
  // T == S; a cache step with T < S needs the bottom-right alignment, so it gets an explicit mask.
  if (q.size(-2) == k.size(-2)) return at::scaled_dot_product_attention(q, keys, values, {}, 0.0, /*is_causal=*/true);
  return at::scaled_dot_product_attention(q, keys, values, causal_mask(q, k), 0.0, /*is_causal=*/false);
}
bool attend_is_fused() { return true; }
#else
// LibTorch 1.13 has no fused kernel: float32 on the CPU takes attend_cpu (cpu_attention.h), the
// same computation as attend_gemm on direct BLAS calls; attend_gemm is the path elsewhere where
// the softmax runs in the input dtype anyway (float64, float32 on another device).
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& mask) {
  if (q.device().is_cpu() && q.scalar_type() == torch::kFloat32 && cpu_attention_ready())
    return attend_cpu(q, k, v, mask);
  const bool gemm_path = q.scalar_type() == torch::kFloat32 || q.scalar_type() == torch::kFloat64;
  return gemm_path ? attend_gemm(q, k, v, mask) : attend_reference(q, k, v, mask);
}
bool attend_is_fused() { return false; }
#endif

}  // namespace sftx::rt
