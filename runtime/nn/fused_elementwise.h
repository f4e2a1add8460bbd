// The model's elementwise layers and its loss, each as one pass over memory forward and one
// backward.
//
// Written as tensor ops (as HF writes them), RMSNorm is six kernels forward and about ten
// backward, the rotary embedding five per tensor, SwiGLU's activation two and three; at the
// shapes a CPU trains (nano: 2,048 tokens of 128 features) each is a dispatch, an allocation and
// a pass over memory. LibTorch's own kernels were 20% of a nano 256x8 step, the GEMMs most of the
// rest; with these loops 15%, plus 4% in the loops (perf; bench/RESULTS.md has the speed-up
// measured beside PyTorch). Here each is one loop over rows, split over the intra-op threads,
// saving for the backward pass only what it cannot recompute cheaply (RMSNorm: x and one float
// per row; SwiGLU: its two inputs, where the op sequence keeps three tensors). The loss is the
// largest of them: over 2,000 logits per token (nano's vocabulary), torch's cross_entropy writes
// the log-probabilities, their gradient and, for the shifted view, two copies of the logits.
//
// The fused loops run for contiguous-in-the-last-dimension float32 tensors on the CPU; anything
// else (float64, bf16 under autocast, CUDA, MPS) takes the tensor-op form, which is also the
// reference the tests compare with (fused_elementwise_test.cc: outputs and gradients to 1e-5).
// They agree with it to float rounding, not bit for bit (the sums run in another order), which
// is a rounding-level change in the sense of stage_key.h: cache keys do not change.
#pragma once

#include <torch/torch.h>

namespace sftx::rt {

// HF's LlamaRMSNorm: weight * (x * rsqrt(mean(x^2, -1) + eps)), normalised in float32.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// HF's rotary embedding, x * cos + rotate_half(x) * sin, where rotate_half(x) = (-x2, x1) for the
// two halves of the last dimension. x [B, heads, T, d] (any strides with the last one 1, such as
// the transposed projection); cos, sin [B, T, d]. No gradient flows to cos and sin.
torch::Tensor rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// SwiGLU's activation: silu(gate) * up, the two of the same shape.
torch::Tensor silu_mul(const torch::Tensor& gate, const torch::Tensor& up);

// Cross-entropy summed over the rows whose label is not -100, as torch's cross_entropy with
// ignore_index -100 and reduction sum, computed in float32: logits [..., V], labels [...] (the
// same leading shape). Fused, the log-probabilities are never written: per row a max, a sum of
// exponentials and the gradient softmax - onehot, in one pass each; the loss is summed in row
// order (the same at any thread count). A label outside [0, V) other than -100 is refused.
torch::Tensor cross_entropy_sum(const torch::Tensor& logits, const torch::Tensor& labels);

// On by default. Off, every op takes its tensor-op form: what the model computed before, for
// bench_nn_train_throughput's --elementwise reference (the gain measured in one run) and the
// model-level tests. Process-wide; not meant to change while a step runs.
void set_elementwise_fusion(bool enabled);
bool elementwise_fusion();

// The tensor-op forms (what the fused loops replace), for the tests and the other dtypes/devices.
torch::Tensor rms_norm_reference(const torch::Tensor& x, const torch::Tensor& weight, double eps);
torch::Tensor rotary_reference(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
torch::Tensor silu_mul_reference(const torch::Tensor& gate, const torch::Tensor& up);
torch::Tensor cross_entropy_sum_reference(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace sftx::rt
