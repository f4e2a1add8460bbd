#include "runtime/nn/cpu_attention.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "runtime/nn/attend.h"
#include "runtime/nn/vector_math.h"

namespace sftx::rt {
namespace {

using vec::exp_poly;
using vec::max_of;
using vec::row_grain;
using vec::sum_of_partials;
using vec::sum_of_products;

// cblas_sgemm's signature and the three enum values used (CBLAS's own numbering), declared here
// rather than included: the header belongs to a -dev package the build does not otherwise need,
// and the function is looked up in the process, where LibTorch's BLAS already is.
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
using CblasSgemm = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                            int lda, const float* b, int ldb, float beta, float* c, int ldc);

CblasSgemm find_sgemm() {
  static const auto sgemm = reinterpret_cast<CblasSgemm>(dlsym(RTLD_DEFAULT, "cblas_sgemm"));
  return sgemm;
}

std::atomic<bool> kernel_enabled{true};

// Row-major C[m, n] = alpha op(A) op(B) + beta C.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  find_sgemm()(kRowMajor, trans_a ? kTrans : kNoTrans, trans_b ? kTrans : kNoTrans, static_cast<int>(m),
               static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb),
               beta, c, static_cast<int>(ldc));
}

// The queries go in blocks of about kBlockRows (at most kMaxBlocks), and block i multiplies and
// normalises over only the keys its last row may see: S - T + its end. n blocks do (n + 1) / 2n
// of the T x S work; more blocks skip more but make smaller GEMMs. 64 rows was faster than 128
// and 32 at nano's heads (bench_nn_attention_throughput, T = 256 and 1024); attend_gemm keeps
// 128, where each block costs a round of tensor dispatches.
constexpr int64_t kBlockRows = 64, kMaxBlocks = 16;

struct Blocks {
  int64_t count;
  std::vector<int64_t> first, rows, seen, offset;  // offset: of the block's scores in the saved probabilities
  int64_t total;                                   // floats of probabilities per (batch, head)
};

Blocks query_blocks(int64_t T, int64_t S) {
  Blocks b;
  b.count = std::clamp<int64_t>(T / kBlockRows, 1, kMaxBlocks);
  b.total = 0;
  for (int64_t i = 0; i < b.count; ++i) {
    const int64_t first = T * i / b.count, rows = T * (i + 1) / b.count - first;
    b.first.push_back(first);
    b.rows.push_back(rows);
    b.seen.push_back(S - T + first + rows);
    b.offset.push_back(b.total);
    b.total += rows * b.seen.back();
  }
  return b;
}

// One operand's element strides, read once (made by blas_operand). `heads_first`: [B, heads, T, d]
// (q, k, v); else [B, T, heads, d] (the output's gradient). A row dimension of size 1 may carry
// any stride, which is never used to address a second row: it reads as d, the least leading
// dimension cblas accepts.
struct Strides {
  int64_t batch, head, row;
  explicit Strides(const torch::Tensor& t, bool heads_first = true)
      : batch(t.stride(0)), head(t.stride(heads_first ? 1 : 2)), row(t.stride(heads_first ? 2 : 1)) {
    if (t.size(heads_first ? 2 : 1) <= 1) row = std::max<int64_t>(row, t.size(3));
  }
};

// The tensor as BLAS can read it: a unit last stride and rows at least d apart (cblas refuses a
// leading dimension below the row length); otherwise a contiguous copy. An expanded gradient
// (stride 0 along the rows, from a sum over the sequence) is such a case.
torch::Tensor blas_operand(const torch::Tensor& t, int64_t row_dim) {
  const bool rows_ok = t.size(row_dim) <= 1 || t.stride(row_dim) >= t.size(-1);
  return t.stride(-1) == 1 && rows_ok ? t : t.contiguous();
}

// e^z, and exactly 0 below e^-87.3 (exp_poly's clamp), as for a masked -inf score; a NaN stays NaN.
inline float exp_or_zero(float z) { return z < -87.3f ? 0.0f : exp_poly(z); }

// Rows [begin, end) of one block's scores [rows, seen], in place: softmax. A masked score
// (-inf) gives exactly 0; a row whose scores are all masked gives NaN, as torch's softmax does.
SFTX_VECTOR_CLONES
void softmax_rows(float* scores, int64_t begin, int64_t end, int64_t seen) {
  for (int64_t r = begin; r < end; ++r) {
    float* x = scores + r * seen;
    const float m = max_of(x, seen);
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= seen; i += 8)
      for (int j = 0; j < 8; ++j) {
        x[i + j] = exp_or_zero(x[i + j] - m);
        part[j] += x[i + j];
      }
    float s = sum_of_partials(part);
    for (; i < seen; ++i) {
      x[i] = exp_or_zero(x[i] - m);
      s += x[i];
    }
    const float inv = 1.0f / s;
    for (i = 0; i < seen; ++i) x[i] *= inv;
  }
}

// Rows [begin, end): dP (in place) becomes dS = P (dP - sum_j P dP), softmax's backward.
SFTX_VECTOR_CLONES
void softmax_backward_rows(const float* probs, float* grad, int64_t begin, int64_t end, int64_t seen) {
  for (int64_t r = begin; r < end; ++r) {
    const float* p = probs + r * seen;
    float* g = grad + r * seen;
    const float dot = sum_of_products(p, g, seen);
    for (int64_t i = 0; i < seen; ++i) g[i] = p[i] * (g[i] - dot);
  }
}

// The operands as pointers: head h of q and its key/value head g of k and v, in batch b.
struct Operands {
  const float *q, *k, *v;
  Strides qs, ks, vs;
  int64_t n_rep;
  float scale;  // 1 / sqrt(d)
  Operands(const torch::Tensor& tq, const torch::Tensor& tk, const torch::Tensor& tv)
      : q(tq.data_ptr<float>()), k(tk.data_ptr<float>()), v(tv.data_ptr<float>()), qs(tq), ks(tk), vs(tv),
        n_rep(heads_per_kv_head(tq, tk)),
        scale(static_cast<float>(1.0 / std::sqrt(static_cast<double>(tq.size(3))))) {}
  const float* q_head(int64_t b, int64_t h) const { return q + b * qs.batch + h * qs.head; }
  const float* k_head(int64_t b, int64_t h) const { return k + b * ks.batch + h / n_rep * ks.head; }
  const float* v_head(int64_t b, int64_t h) const { return v + b * vs.batch + h / n_rep * vs.head; }
};

// The forward pass; fills probs [B, H, blocks.total] (softmax of the scores, kept for the backward
// pass) and returns the output as [B, T, H, d].
torch::Tensor attention_forward(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const torch::Tensor& mask, const Blocks& blocks, torch::Tensor& probs) {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), d = q.size(3), S = k.size(2);
  const Operands in(q, k, v);
  torch::Tensor out = torch::empty({B, T, H, d}, q.options().requires_grad(false));
  probs = torch::empty({B, H, blocks.total}, q.options().requires_grad(false));
  const float* mp = mask.defined() ? mask.data_ptr<float>() : nullptr;
  const int64_t mask_batches = mask.defined() ? mask.size(0) : 0;
  float *op = out.data_ptr<float>(), *pp = probs.data_ptr<float>();

  // The GEMMs run one after another, each on the BLAS's own threads (as LibTorch's bmm runs
  // them); the row loops between them split over the intra-op threads.
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const float *qh = in.q_head(b, h), *kg = in.k_head(b, h), *vg = in.v_head(b, h);
      const float* mb = mp ? mp + (mask_batches == 1 ? 0 : b) * T * S : nullptr;
      for (int64_t i = 0; i < blocks.count; ++i) {
        const int64_t first = blocks.first[i], rows = blocks.rows[i], seen = blocks.seen[i];
        float* scores = pp + (b * H + h) * blocks.total + blocks.offset[i];
        for (int64_t r = 0; r < rows; ++r) {  // the mask's rows, or the causal one: keys up to S - T + t
          float* row = scores + r * seen;
          if (mb) {
            std::memcpy(row, mb + (first + r) * S, sizeof(float) * static_cast<size_t>(seen));
          } else {
            const int64_t allowed = S - T + first + r + 1;
            std::fill(row, row + allowed, 0.0f);
            std::fill(row + allowed, row + seen, -INFINITY);
          }
        }
        gemm(false, true, rows, seen, d, in.scale, qh + first * in.qs.row, in.qs.row, kg, in.ks.row, 1.0f, scores,
             seen);
        at::parallel_for(0, rows, row_grain(seen),
                         [&](int64_t begin, int64_t end) { softmax_rows(scores, begin, end, seen); });
        gemm(false, false, rows, d, seen, 1.0f, scores, seen, vg, in.vs.row, 0.0f, op + ((b * T + first) * H + h) * d,
             H * d);
      }
    }
  return out;
}

// The mask goes to the autograd function wrapped: as a Tensor argument it would be an input of
// the graph, and an undefined one (causal) is refused there. The function's output is the
// [B, T, H, d] buffer itself, not a view of it: attend_cpu makes the [B, H, T, d] view outside.
struct MaskArg {
  torch::Tensor additive;
};

class CpuAttentionFunction : public torch::autograd::Function<CpuAttentionFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor q, torch::Tensor k,
                               torch::Tensor v, const MaskArg& mask) {
    const Blocks blocks = query_blocks(q.size(2), k.size(2));
    torch::Tensor probs;
    torch::Tensor out = attention_forward(q, k, v, mask.additive, blocks, probs);
    ctx->save_for_backward({q, k, v, probs});
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &q = saved[0], &k = saved[1], &v = saved[2], &probs = saved[3];
    const torch::Tensor dout = blas_operand(grads[0], /*row_dim=*/1);
    const int64_t B = q.size(0), H = q.size(1), T = q.size(2), d = q.size(3), G = k.size(1), S = k.size(2);
    const Blocks blocks = query_blocks(T, S);
    const Operands in(q, k, v);
    const Strides os(dout, /*heads_first=*/false);
    torch::Tensor dq = torch::empty({B, H, T, d}, q.options());
    torch::Tensor dk = torch::zeros({B, G, S, d}, k.options());
    torch::Tensor dv = torch::zeros({B, G, S, d}, v.options());
    // dP, then dS in place, for one block at a time.
    const int64_t max_rows = *std::max_element(blocks.rows.begin(), blocks.rows.end());
    std::vector<float> dscores(static_cast<size_t>(max_rows * blocks.seen.back()));
    const float *pp = probs.data_ptr<float>(), *gp = dout.data_ptr<float>();
    float *dqp = dq.data_ptr<float>(), *dkp = dk.data_ptr<float>(), *dvp = dv.data_ptr<float>();

    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h) {
        const int64_t g = h / in.n_rep;
        const float *qh = in.q_head(b, h), *kg = in.k_head(b, h), *vg = in.v_head(b, h);
        const float* goh = gp + b * os.batch + h * os.head;
        float* dqh = dqp + (b * H + h) * T * d;
        float* dkg = dkp + (b * G + g) * S * d;
        float* dvg = dvp + (b * G + g) * S * d;
        for (int64_t i = 0; i < blocks.count; ++i) {
          const int64_t first = blocks.first[i], rows = blocks.rows[i], seen = blocks.seen[i];
          const float* p = pp + (b * H + h) * blocks.total + blocks.offset[i];
          const float* go = goh + first * os.row;
          float* ds = dscores.data();
          gemm(true, false, seen, d, rows, 1.0f, p, seen, go, os.row, 1.0f, dvg, d);        // dV += P^T dO
          gemm(false, true, rows, seen, d, 1.0f, go, os.row, vg, in.vs.row, 0.0f, ds, seen);  // dP = dO V^T
          at::parallel_for(0, rows, row_grain(seen),
                           [&](int64_t begin, int64_t end) { softmax_backward_rows(p, ds, begin, end, seen); });
          gemm(false, false, rows, d, seen, in.scale, ds, seen, kg, in.ks.row, 0.0f, dqh + first * d, d);  // dQ = s dS K
          gemm(true, false, seen, d, rows, in.scale, ds, seen, qh + first * in.qs.row, in.qs.row, 1.0f, dkg,
               d);  // dK += s dS^T Q
        }
      }
    return {dq, dk, dv, torch::Tensor()};  // and none for the mask argument
  }
};

}  // namespace

bool cpu_attention_ready() { return kernel_enabled.load(std::memory_order_relaxed) && find_sgemm() != nullptr; }

void set_cpu_attention(bool enabled) { kernel_enabled.store(enabled, std::memory_order_relaxed); }

torch::Tensor attend_cpu(const torch::Tensor& q_in, const torch::Tensor& k_in, const torch::Tensor& v_in,
                         const torch::Tensor& mask_in) {
  TORCH_CHECK(q_in.device().is_cpu() && q_in.scalar_type() == torch::kFloat32 && k_in.scalar_type() == torch::kFloat32 &&
                  v_in.scalar_type() == torch::kFloat32,
              "attend_cpu: float32 CPU tensors only");
  TORCH_CHECK(find_sgemm() != nullptr, "attend_cpu: no cblas_sgemm in this process");
  heads_per_kv_head(q_in, k_in);
  // Nothing to multiply (no query, key or feature): the tensor-op path returns the empty result,
  // where a BLAS call would be refused for its zero leading dimension.
  if (q_in.numel() == 0 || k_in.numel() == 0) return attend_gemm(q_in, k_in, v_in, mask_in);
  const torch::Tensor q = blas_operand(q_in, 2), k = blas_operand(k_in, 2), v = blas_operand(v_in, 2);
  const int64_t B = q.size(0), T = q.size(2), S = k.size(2);
  TORCH_CHECK(S >= T, "attend_cpu: ", T, " queries over ", S, " keys (the queries are the last positions)");
  torch::Tensor mask;
  if (mask_in.defined()) {
    mask = additive_attention_mask(mask_in, torch::kFloat32);
    while (mask.dim() < 4) mask = mask.unsqueeze(0);
    TORCH_CHECK(mask.size(1) == 1 && mask.size(2) == T && mask.size(3) == S && (mask.size(0) == 1 || mask.size(0) == B),
                "attend_cpu: a mask of shape ", mask_in.sizes(), " for ", B, " x ", T, " queries over ", S, " keys");
    mask = mask.contiguous();
  }
  const bool graph = torch::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
  if (graph) return CpuAttentionFunction::apply(q, k, v, MaskArg{mask}).permute({0, 2, 1, 3});
  torch::Tensor probs;
  return attention_forward(q, k, v, mask, query_blocks(T, S), probs).permute({0, 2, 1, 3});
}

}  // namespace sftx::rt
