#include "runtime/nn/fused_elementwise.h"

#include <ATen/Parallel.h>
#include <ATen/TensorIterator.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "runtime/nn/vector_math.h"

namespace sftx::rt {
namespace {

using vec::exp_poly;
using vec::max_of;
using vec::row_grain;
using vec::sum_of_partials;
using vec::sum_of_products;

std::atomic<bool> fusion_enabled{true};

bool fusable(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && fusion_enabled.load(std::memory_order_relaxed);
}

inline float sigmoid(float x) { return 1.0f / (1.0f + exp_poly(-x)); }

// ---------------------------------------------------------------- RMSNorm
SFTX_VECTOR_CLONES
void rms_norm_forward_rows(const float* x, const float* w, float* y, float* rstd, int64_t begin, int64_t end,
                           int64_t n, float eps) {
  for (int64_t row = begin; row < end; ++row) {
    const float* xr = x + row * n;
    float* yr = y + row * n;
    const float sum = sum_of_products(xr, xr, n);
    const float r = 1.0f / std::sqrt(sum / static_cast<float>(n) + eps);
    rstd[row] = r;
    for (int64_t i = 0; i < n; ++i) yr[i] = w[i] * (xr[i] * r);
  }
}

// dx = r (g - x^ mean(g x^)) with g = dy w and x^ = x r; the rows' dy x^ summed into dw_part.
SFTX_VECTOR_CLONES
void rms_norm_backward_rows(const float* x, const float* w, const float* rstd, const float* dy, float* dx,
                            float* dw_part, int64_t begin, int64_t end, int64_t n) {
  for (int64_t row = begin; row < end; ++row) {
    const float* xr = x + row * n;
    const float* dyr = dy + row * n;
    const float r = rstd[row];
    const float mean = r * sum_of_products(dyr, w, xr, n) / static_cast<float>(n);  // mean(g x^)
    if (dx) {
      float* dxr = dx + row * n;
      for (int64_t i = 0; i < n; ++i) dxr[i] = r * (dyr[i] * w[i] - (xr[i] * r) * mean);
    }
    if (dw_part)
      for (int64_t i = 0; i < n; ++i) dw_part[i] += dyr[i] * (xr[i] * r);
  }
}

// Rows per partial sum of dw: fixed, not per thread, so that dw is summed in the same order
// whatever the number of threads (each block's partial, then the blocks in order).
constexpr int64_t kRowsPerPartial = 64;

class RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, torch::Tensor weight,
                               double eps) {
    x = x.contiguous();
    weight = weight.contiguous();
    const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(1, n);
    torch::Tensor y = torch::empty_like(x);
    torch::Tensor rstd = torch::empty({rows}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* wp = weight.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    float* rp = rstd.data_ptr<float>();
    at::parallel_for(0, rows, row_grain(n), [&](int64_t begin, int64_t end) {
      rms_norm_forward_rows(xp, wp, yp, rp, begin, end, n, static_cast<float>(eps));
    });
    if (ctx) ctx->save_for_backward({x, weight, rstd});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const torch::Tensor& rstd = saved[2];
    const torch::Tensor dy = grads[0].contiguous();
    const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(1, n);
    const bool want_dx = ctx->needs_input_grad(0), want_dw = ctx->needs_input_grad(1);
    torch::Tensor dx = want_dx ? torch::empty_like(x) : torch::Tensor();
    const int64_t blocks = (rows + kRowsPerPartial - 1) / kRowsPerPartial;
    torch::Tensor dw_parts = want_dw ? torch::zeros({std::max<int64_t>(1, blocks), n}, x.options()) : torch::Tensor();
    const float* xp = x.data_ptr<float>();
    const float* wp = weight.data_ptr<float>();
    const float* rp = rstd.data_ptr<float>();
    const float* dyp = dy.data_ptr<float>();
    float* dxp = want_dx ? dx.data_ptr<float>() : nullptr;
    float* partp = want_dw ? dw_parts.data_ptr<float>() : nullptr;
    const int64_t block_grain = std::max<int64_t>(1, row_grain(n) / kRowsPerPartial);
    at::parallel_for(0, blocks, block_grain, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b)
        rms_norm_backward_rows(xp, wp, rp, dyp, dxp, partp ? partp + b * n : nullptr, b * kRowsPerPartial,
                               std::min(rows, (b + 1) * kRowsPerPartial), n);
    });
    torch::Tensor dw = want_dw ? dw_parts.sum(0) : torch::Tensor();
    return {dx, dw, torch::Tensor()};
  }
};

// ---------------------------------------------------------------- rotary embedding
// A row is one (batch, head, position) vector of d; its cos/sin row is (batch, position)'s.
struct RotaryRows {
  int64_t heads, positions, half;
  int64_t x_batch, x_head, x_pos;      // strides of the input (and of the output: empty_like)
  int64_t out_batch, out_head, out_pos;
  int64_t table_batch, table_pos;      // strides of cos and sin
};

// sign = +1: y = x cos + rotate_half(x) sin (forward). sign = -1: the transpose, which is the
// backward: dx1 = dy1 c1 + dy2 s2, dx2 = dy2 c2 - dy1 s1.
SFTX_VECTOR_CLONES
void rotary_rows(const float* x, const float* cos, const float* sin, float* y, const RotaryRows& s, float sign,
                 int64_t begin, int64_t end) {
  for (int64_t row = begin; row < end; ++row) {
    const int64_t t = row % s.positions, h = (row / s.positions) % s.heads, b = row / (s.positions * s.heads);
    const float* xr = x + b * s.x_batch + h * s.x_head + t * s.x_pos;
    float* yr = y + b * s.out_batch + h * s.out_head + t * s.out_pos;
    const float* c = cos + b * s.table_batch + t * s.table_pos;
    const float* sn = sin + b * s.table_batch + t * s.table_pos;
    const int64_t half = s.half;
    if (sign > 0) {
      for (int64_t i = 0; i < half; ++i) {
        yr[i] = xr[i] * c[i] - xr[i + half] * sn[i];
        yr[i + half] = xr[i + half] * c[i + half] + xr[i] * sn[i + half];
      }
    } else {
      for (int64_t i = 0; i < half; ++i) {
        yr[i] = xr[i] * c[i] + xr[i + half] * sn[i + half];
        yr[i + half] = xr[i + half] * c[i + half] - xr[i] * sn[i];
      }
    }
  }
}

// x [B, H, T, d] with the last stride 1; tables [B or 1, T, d].
torch::Tensor rotary_apply(const torch::Tensor& x_in, torch::Tensor cos, torch::Tensor sin, float sign) {
  const torch::Tensor x = x_in.stride(-1) == 1 ? x_in : x_in.contiguous();
  const int64_t B = x.size(0), H = x.size(1), T = x.size(2), d = x.size(3);
  cos = cos.contiguous().expand({B, T, d});
  sin = sin.contiguous().expand({B, T, d});
  torch::Tensor y = torch::empty_like(x);  // x's strides (a transposed projection stays one)
  const RotaryRows s{H, T, d / 2, x.stride(0), x.stride(1), x.stride(2), y.stride(0), y.stride(1), y.stride(2),
                     cos.stride(0), cos.stride(1)};
  const float* xp = x.data_ptr<float>();
  const float* cp = cos.data_ptr<float>();
  const float* sp = sin.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  at::parallel_for(0, B * H * T, row_grain(d),
                   [&](int64_t begin, int64_t end) { rotary_rows(xp, cp, sp, yp, s, sign, begin, end); });
  return y;
}

class RotaryFunction : public torch::autograd::Function<RotaryFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, torch::Tensor cos,
                               torch::Tensor sin) {
    if (ctx) ctx->save_for_backward({cos, sin});
    return rotary_apply(x, cos, sin, +1.0f);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    return {rotary_apply(grads[0], saved[0], saved[1], -1.0f), torch::Tensor(), torch::Tensor()};
  }
};

// ---------------------------------------------------------------- SwiGLU's activation
SFTX_VECTOR_CLONES
void silu_mul_forward_range(const float* g, const float* u, float* y, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) y[i] = g[i] * sigmoid(g[i]) * u[i];
}

// With s = sigmoid(g): d silu(g) / dg = s (1 + g (1 - s)).
SFTX_VECTOR_CLONES
void silu_mul_backward_range(const float* g, const float* u, const float* dy, float* dg, float* du, int64_t begin,
                             int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float s = sigmoid(g[i]);
    dg[i] = dy[i] * u[i] * (s * (1.0f + g[i] * (1.0f - s)));
    du[i] = dy[i] * (g[i] * s);
  }
}

class SiluMulFunction : public torch::autograd::Function<SiluMulFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor gate, torch::Tensor up) {
    gate = gate.contiguous();
    up = up.contiguous();
    torch::Tensor y = torch::empty_like(gate, torch::MemoryFormat::Contiguous);
    const float* gp = gate.data_ptr<float>();
    const float* up_p = up.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, gate.numel(), at::internal::GRAIN_SIZE,
                     [&](int64_t begin, int64_t end) { silu_mul_forward_range(gp, up_p, yp, begin, end); });
    if (ctx) ctx->save_for_backward({gate, up});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& gate = saved[0];
    const torch::Tensor& up = saved[1];
    const torch::Tensor dy = grads[0].contiguous();
    torch::Tensor dg = torch::empty_like(gate), du = torch::empty_like(up);
    const float* gp = gate.data_ptr<float>();
    const float* up_p = up.data_ptr<float>();
    const float* dyp = dy.data_ptr<float>();
    float* dgp = dg.data_ptr<float>();
    float* dup = du.data_ptr<float>();
    at::parallel_for(0, gate.numel(), at::internal::GRAIN_SIZE, [&](int64_t begin, int64_t end) {
      silu_mul_backward_range(gp, up_p, dyp, dgp, dup, begin, end);
    });
    return {ctx->needs_input_grad(0) ? dg : torch::Tensor(), ctx->needs_input_grad(1) ? du : torch::Tensor()};
  }
};

// ---------------------------------------------------------------- cross-entropy
// One row of logits: lse = max + log sum exp(x - max), its loss lse - x[label]. Max and sum in
// eight running partials, so they vectorise (vector_math.h).
SFTX_VECTOR_CLONES
void cross_entropy_rows(const float* logits, const int64_t* labels, float* lse, float* loss, int64_t begin,
                        int64_t end, int64_t n) {
  for (int64_t row = begin; row < end; ++row) {
    const int64_t label = labels[row];
    if (label < 0) {  // -100, ignored: neither a loss nor a gradient
      lse[row] = 0.0f;
      loss[row] = 0.0f;
      continue;
    }
    const float* x = logits + row * n;
    const float m = max_of(x, n);
    // nan[] stays 0 unless a logit is NaN or infinite ((x - m) * 0 is then NaN): exp_poly clamps
    // its input, so without it a NaN logit could give a finite loss, and the trainer's check for
    // a non-finite loss must see what the reference would report.
    float part[8], nan[8];
    for (int j = 0; j < 8; ++j) part[j] = nan[j] = 0.0f;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) {
        part[j] += exp_poly(x[i + j] - m);
        nan[j] += (x[i + j] - m) * 0.0f;
      }
    float s = sum_of_partials(part);
    float flag = sum_of_partials(nan);
    for (; i < n; ++i) {
      s += exp_poly(x[i] - m);
      flag += (x[i] - m) * 0.0f;
    }
    lse[row] = m + std::log(s) + flag;
    loss[row] = lse[row] - x[label];
  }
}

// d loss / d x = g (softmax(x) - onehot(label)), softmax(x) = exp(x - lse); 0 on ignored rows.
SFTX_VECTOR_CLONES
void cross_entropy_backward_rows(const float* logits, const int64_t* labels, const float* lse, float g, float* dx,
                                 int64_t begin, int64_t end, int64_t n) {
  for (int64_t row = begin; row < end; ++row) {
    float* d = dx + row * n;
    const int64_t label = labels[row];
    if (label < 0) {
      std::memset(d, 0, sizeof(float) * static_cast<size_t>(n));
      continue;
    }
    const float* x = logits + row * n;
    const float l = lse[row];
    for (int64_t i = 0; i < n; ++i) d[i] = g * exp_poly(x[i] - l);
    d[label] -= g;
  }
}

class CrossEntropySumFunction : public torch::autograd::Function<CrossEntropySumFunction> {
 public:
  // logits [rows, V] contiguous, labels [rows] int64 (checked by the caller).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor logits, torch::Tensor labels) {
    const int64_t n = logits.size(-1), rows = logits.size(0);
    torch::Tensor lse = torch::empty({rows}, logits.options());
    torch::Tensor losses = torch::empty({rows}, logits.options());
    const float* xp = logits.data_ptr<float>();
    const int64_t* lp = labels.data_ptr<int64_t>();
    float* lsep = lse.data_ptr<float>();
    float* lossp = losses.data_ptr<float>();
    at::parallel_for(0, rows, row_grain(n),
                     [&](int64_t begin, int64_t end) { cross_entropy_rows(xp, lp, lsep, lossp, begin, end, n); });
    // The rows' losses summed in row order, in double: the same sum at any thread count.
    double sum = 0;
    for (int64_t r = 0; r < rows; ++r) sum += lossp[r];
    if (ctx) ctx->save_for_backward({logits, labels, lse});
    return torch::scalar_tensor(static_cast<float>(sum), logits.options());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& logits = saved[0];
    const int64_t n = logits.size(-1), rows = logits.size(0);
    const float g = grads[0].item<float>();
    torch::Tensor dx = torch::empty_like(logits);
    const float* xp = logits.data_ptr<float>();
    const int64_t* lp = saved[1].data_ptr<int64_t>();
    const float* lsep = saved[2].data_ptr<float>();
    float* dxp = dx.data_ptr<float>();
    at::parallel_for(0, rows, row_grain(n), [&](int64_t begin, int64_t end) {
      cross_entropy_backward_rows(xp, lp, lsep, g, dxp, begin, end, n);
    });
    return {dx, torch::Tensor()};
  }
};

// Autograd's wrapper only where a gradient will be asked for: generation and evaluation call
// the loops directly.
bool records_graph(std::initializer_list<const torch::Tensor*> inputs) {
  if (!torch::GradMode::is_enabled()) return false;
  for (const torch::Tensor* t : inputs)
    if (t->requires_grad()) return true;
  return false;
}

}  // namespace

void set_elementwise_fusion(bool enabled) { fusion_enabled.store(enabled); }
bool elementwise_fusion() { return fusion_enabled.load(); }

torch::Tensor rms_norm_reference(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  // As HF: normalise in float32, cast back to the input dtype, then scale.
  const auto input_dtype = x.scalar_type();
  torch::Tensor h = x.to(torch::kFloat32);
  h = h * torch::rsqrt(h.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * h.to(input_dtype);
}

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  if (!fusable(x) || !fusable(weight) || x.dim() == 0 || weight.dim() != 1 || weight.size(0) != x.size(-1))
    return rms_norm_reference(x, weight, eps);
  if (records_graph({&x, &weight})) return RmsNormFunction::apply(x, weight, eps);
  return RmsNormFunction::forward(nullptr, x, weight, eps);
}

torch::Tensor rotary_reference(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  const torch::Tensor rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos.unsqueeze(1) + rotated * sin.unsqueeze(1);
}

torch::Tensor rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  if (!fusable(x) || !fusable(cos) || !fusable(sin) || x.dim() != 4 || cos.dim() != 3 || x.size(-1) % 2 != 0 ||
      cos.sizes() != sin.sizes() || cos.size(1) != x.size(2) || cos.size(2) != x.size(3) ||
      (cos.size(0) != x.size(0) && cos.size(0) != 1) || cos.requires_grad() || sin.requires_grad())
    return rotary_reference(x, cos, sin);
  if (records_graph({&x})) return RotaryFunction::apply(x, cos, sin);
  return RotaryFunction::forward(nullptr, x, cos, sin);
}

torch::Tensor silu_mul_reference(const torch::Tensor& gate, const torch::Tensor& up) { return torch::silu(gate) * up; }

torch::Tensor silu_mul(const torch::Tensor& gate, const torch::Tensor& up) {
  if (!fusable(gate) || !fusable(up) || gate.sizes() != up.sizes()) return silu_mul_reference(gate, up);
  if (records_graph({&gate, &up})) return SiluMulFunction::apply(gate, up);
  return SiluMulFunction::forward(nullptr, gate, up);
}

torch::Tensor cross_entropy_sum_reference(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t V = logits.size(-1);
  return torch::nn::functional::cross_entropy(
      logits.reshape({-1, V}).to(torch::kFloat32), labels.reshape({-1}).to(torch::kInt64),
      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kSum));
}

torch::Tensor cross_entropy_sum(const torch::Tensor& logits, const torch::Tensor& labels) {
  TORCH_CHECK(logits.dim() >= 1 && labels.numel() * logits.size(-1) == logits.numel(),
              "cross_entropy_sum: logits ", logits.sizes(), " and labels ", labels.sizes(), " disagree");
  if (!fusable(logits) || !labels.device().is_cpu() || labels.scalar_type() != torch::kInt64 ||
      logits.size(-1) == 0)
    return cross_entropy_sum_reference(logits, labels);
  const torch::Tensor flat = logits.reshape({-1, logits.size(-1)}).contiguous();
  const torch::Tensor flat_labels = labels.reshape({-1}).contiguous();
  // The reference refuses a label outside [0, V) other than -100; so does this, rather than read
  // past the row.
  const int64_t V = flat.size(1);
  const bool in_range = ((flat_labels == -100) | ((flat_labels >= 0) & (flat_labels < V))).all().item<bool>();
  TORCH_CHECK(in_range, "cross_entropy_sum: a label is outside [0, ", V, ") and is not -100");
  if (records_graph({&flat})) return CrossEntropySumFunction::apply(flat, flat_labels);
  return CrossEntropySumFunction::forward(nullptr, flat, flat_labels);
}

}  // namespace sftx::rt
