// Chunked causal attention within packed segments (see segment_attention.h for the idea).
#include "runtime/nn/segment_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace sftx::rt {

namespace {

// 256 query rows per chunk. Smaller chunks waste less of each diagonal block (the work is
// T^2/2 + T*C/2) but LibTorch 1.13's CPU bmm calls the BLAS once per batch entry, and on the
// 2-core bench machine the extra, smaller calls cost more than the saved FLOPs: nano at
// seq 512 x batch 16 trained at 3,300 tok/s with 64 rows, 3,200-3,900 with 128, 4,100-4,300
// with 256, against 3,800-4,500 for the dense-mask attention (bench/RESULTS.md).
constexpr int64_t kDefaultChunk = 256;

// First key each query may see: the first token of its segment (by id, as the mask rule has it:
// same non-zero id, earlier), or itself for padding. [B][T], from host copies of the ids.
std::vector<int64_t> earliest_keys(const torch::Tensor& segment_ids, int64_t B, int64_t T) {
  std::vector<int64_t> first(static_cast<size_t>(B * T));
  const auto seg = segment_ids.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t* s = seg.data_ptr<int64_t>();
  for (int64_t b = 0; b < B; ++b) {
    std::unordered_map<int64_t, int64_t> start;
    for (int64_t t = 0; t < T; ++t) {
      const int64_t id = s[b * T + t];
      first[static_cast<size_t>(b * T + t)] = id == 0 ? t : start.emplace(id, t).first->second;
    }
  }
  return first;
}

}  // namespace

torch::Tensor segment_mask_window(const torch::Tensor& segment_ids, int64_t t0, int64_t t1, int64_t key_start) {
  const auto seg = segment_ids.to(torch::kInt64);
  const auto index = torch::TensorOptions().dtype(torch::kInt64).device(seg.device());
  const auto tq = torch::arange(t0, t1, index).unsqueeze(1);         // [rows, 1]
  const auto tk = torch::arange(key_start, t1, index).unsqueeze(0);  // [1, keys]
  const auto sq = seg.narrow(1, t0, t1 - t0).unsqueeze(2);          // [B, rows, 1]
  const auto sk = seg.narrow(1, key_start, t1 - key_start).unsqueeze(1);  // [B, 1, keys]
  return ((sq == sk) & (sq != 0) & (tk <= tq)) | (tk == tq);
}

SegmentLayout segment_layout(const torch::Tensor& segment_ids, int64_t T, torch::ScalarType dtype,
                             torch::Device device, int64_t chunk) {
  SegmentLayout layout;
  layout.length = T;
  layout.chunk = chunk > 0 ? chunk : kDefaultChunk;
  const auto opts = torch::TensorOptions().dtype(dtype).device(device);
  const double minus_inf = -std::numeric_limits<double>::infinity();
  std::vector<int64_t> first;
  int64_t B = 0;
  if (segment_ids.defined()) {
    TORCH_CHECK(segment_ids.dim() == 2 && segment_ids.size(1) == T, "segment ids must be [batch, ", T, "], got ",
                segment_ids.sizes());
    B = segment_ids.size(0);
    first = earliest_keys(segment_ids, B, T);
  }
  for (int64_t t0 = 0; t0 < T; t0 += layout.chunk) {
    const int64_t t1 = std::min(T, t0 + layout.chunk);
    int64_t start = 0;
    torch::Tensor allowed;
    if (segment_ids.defined()) {
      start = t0;
      for (int64_t b = 0; b < B; ++b)
        for (int64_t t = t0; t < t1; ++t) start = std::min(start, first[static_cast<size_t>(b * T + t)]);
      allowed = segment_mask_window(segment_ids.to(device), t0, t1, start);
    } else {  // plain causal: one window for every row of the batch
      const auto index = torch::TensorOptions().dtype(torch::kInt64).device(device);
      allowed = (torch::arange(0, t1, index).unsqueeze(0) <= torch::arange(t0, t1, index).unsqueeze(1)).unsqueeze(0);
    }
    // Skip the leading columns every row may see: the bias adds nothing there.
    const auto masked_columns = allowed.logical_not().any(1).any(0);  // [window]
    const auto nonzero = masked_columns.nonzero();
    const int64_t column = nonzero.numel() ? nonzero[0][0].item<int64_t>() : masked_columns.size(0);
    const auto open = allowed.narrow(2, column, allowed.size(2) - column);
    layout.key_start.push_back(start);
    layout.bias_column.push_back(column);
    layout.bias.push_back(torch::zeros(open.sizes(), opts).masked_fill_(open.logical_not(), minus_inf));
  }
  return layout;
}

namespace {

// The per-chunk pieces both passes need, in the grouped layout [B * KV, rows, ...] where the rows
// of a chunk are its query heads of one key/value head, chunk after chunk (rep * C rows).
struct Shapes {
  int64_t B, H, KV, rep, T, d;
};

// q [B, H, T, d] scaled -> rows of chunk [t0, t0 + C): [B * KV, rep * C, d] (a copy).
torch::Tensor query_rows(const torch::Tensor& q, const Shapes& s, int64_t t0, int64_t C) {
  return q.view({s.B, s.KV, s.rep, s.T, s.d}).narrow(3, t0, C).reshape({s.B * s.KV, s.rep * C, s.d});
}

// x [B, T, H, d] (output layout) -> rows of chunk [t0, t0 + C): [B * KV, rep * C, d].
torch::Tensor output_rows(const torch::Tensor& x, const Shapes& s, int64_t t0, int64_t C) {
  return x.view({s.B, s.T, s.KV, s.rep, s.d}).narrow(1, t0, C).permute({0, 2, 3, 1, 4}).reshape({s.B * s.KV, s.rep * C, s.d});
}

// rows [B * KV, rep * C, d] -> x [B, T, H, d] at chunk [t0, t0 + C).
void store_rows(torch::Tensor& x, const torch::Tensor& rows, const Shapes& s, int64_t t0, int64_t C) {
  x.view({s.B, s.T, s.KV, s.rep, s.d}).narrow(1, t0, C).copy_(rows.view({s.B, s.KV, s.rep, C, s.d}).permute({0, 3, 1, 2, 4}));
}

// Softmax probabilities of one chunk: [B * KV, rep * C, L]. Both passes call this, so the
// backward pass sees bit for bit the probabilities of the forward pass.
torch::Tensor chunk_probs(const torch::Tensor& qc, const torch::Tensor& k, const torch::Tensor& bias, int64_t column,
                          const Shapes& s, int64_t C, int64_t start, int64_t L) {
  torch::Tensor scores = torch::bmm(qc, k.narrow(1, start, L).transpose(1, 2));
  if (column < L)
    scores.view({s.B, s.KV, s.rep, C, L}).narrow(4, column, L - column).add_(bias.view({bias.size(0), 1, 1, C, L - column}));
  return torch::softmax(scores, -1);
}

class SegmentAttentionFunction : public torch::autograd::Function<SegmentAttentionFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const SegmentLayout& layout) {
    const Shapes s = shapes(q, k);
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.d));
    const auto qs = (q * scale).contiguous();  // [B, H, T, d]
    const auto kc = k.contiguous().view({s.B * s.KV, s.T, s.d});
    const auto vc = v.contiguous().view({s.B * s.KV, s.T, s.d});
    torch::Tensor out = torch::empty({s.B, s.T, s.H, s.d}, q.options());
    for (size_t i = 0; i < layout.key_start.size(); ++i) {
      const int64_t t0 = static_cast<int64_t>(i) * layout.chunk, C = std::min(layout.chunk, s.T - t0);
      const int64_t start = layout.key_start[i], L = t0 + C - start;
      const auto probs = chunk_probs(query_rows(qs, s, t0, C), kc, layout.bias[i], layout.bias_column[i], s, C, start, L);
      store_rows(out, torch::bmm(probs, vc.narrow(1, start, L)), s, t0, C);
    }
    ctx->save_for_backward({qs, kc, vc, out});
    // The layout's pieces by value (tensors are shared, not copied): the layout itself is gone by
    // the time backward runs.
    ctx->saved_data["chunk"] = layout.chunk;
    ctx->saved_data["key_start"] = layout.key_start;
    ctx->saved_data["bias"] = layout.bias;
    ctx->saved_data["bias_column"] = layout.bias_column;
    ctx->saved_data["q_shape"] = q.sizes().vec();
    ctx->saved_data["kv_shape"] = k.sizes().vec();
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &qs = saved[0], &kc = saved[1], &vc = saved[2], &out = saved[3];
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const auto key_start = ctx->saved_data["key_start"].toIntVector();
    const auto bias = ctx->saved_data["bias"].toTensorVector();
    const auto bias_column = ctx->saved_data["bias_column"].toIntVector();
    const auto q_shape = ctx->saved_data["q_shape"].toIntVector();
    const auto kv_shape = ctx->saved_data["kv_shape"].toIntVector();
    const Shapes s{q_shape[0], q_shape[1], kv_shape[1], q_shape[1] / kv_shape[1], q_shape[2], q_shape[3]};
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.d));
    const auto grad_out = grads[0].contiguous();  // [B, T, H, d]
    // Softmax backward needs rowsum(dP * P) = rowsum(dO * O) per query: [B, T, H] once.
    const auto delta = (grad_out * out).sum(-1, /*keepdim=*/true);
    torch::Tensor dq = torch::empty({s.B, s.T, s.H, s.d}, qs.options());
    torch::Tensor dk = torch::zeros_like(kc), dv = torch::zeros_like(vc);
    const Shapes delta_shape{s.B, s.H, s.KV, s.rep, s.T, 1};
    for (size_t i = 0; i < key_start.size(); ++i) {
      const int64_t t0 = static_cast<int64_t>(i) * chunk, C = std::min(chunk, s.T - t0);
      const int64_t start = key_start[i], L = t0 + C - start;
      const auto qc = query_rows(qs, s, t0, C);
      const auto probs = chunk_probs(qc, kc, bias[i], bias_column[i], s, C, start, L);
      const auto go = output_rows(grad_out, s, t0, C);
      dv.narrow(1, start, L).add_(torch::bmm(probs.transpose(1, 2), go));
      // dS = P * (dO V^T - delta): the softmax backward, masked entries stay 0 since P is 0 there.
      torch::Tensor ds = torch::bmm(go, vc.narrow(1, start, L).transpose(1, 2));
      ds.sub_(output_rows(delta, delta_shape, t0, C)).mul_(probs);
      dk.narrow(1, start, L).add_(torch::bmm(ds.transpose(1, 2), qc));
      store_rows(dq, torch::bmm(ds, kc.narrow(1, start, L)).mul_(scale), s, t0, C);
    }
    return {dq.transpose(1, 2), dk.view({s.B, s.KV, s.T, s.d}), dv.view({s.B, s.KV, s.T, s.d}), torch::Tensor()};
  }

 private:
  static Shapes shapes(const torch::Tensor& q, const torch::Tensor& k) {
    const int64_t B = q.size(0), H = q.size(1), T = q.size(2), d = q.size(3), KV = k.size(1);
    return {B, H, KV, H / KV, T, d};
  }
};

}  // namespace

torch::Tensor segment_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const SegmentLayout& layout) {
  TORCH_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4, "segment_attention: q, k, v must be [B, heads, T, d]");
  TORCH_CHECK(q.size(1) % k.size(1) == 0, "segment_attention: ", q.size(1), " query heads do not group over ",
              k.size(1), " key/value heads");
  TORCH_CHECK(q.size(2) == layout.length && k.size(2) == layout.length,
              "segment_attention: the layout is for ", layout.length, " tokens, q has ", q.size(2));
  return SegmentAttentionFunction::apply(q, k, v, layout);
}

}  // namespace sftx::rt
