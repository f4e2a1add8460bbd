// Causal attention on the CPU in float32, as one autograd function over direct BLAS calls.
//
// LibTorch 1.13 multiplies a batch of small matrices (bmm, baddbmm) by a loop that selects each
// batch entry as a tensor and dispatches a GEMM on it: at nano's shapes (heads of 32, blocks of
// 128 queries) a fifth of a training step went to attention's bmm calls, at about two thirds of
// the FLOP rate the projections' GEMMs reach, plus 18,000 select / as_strided / resolve_conj
// calls per step. Here every GEMM is one cblas_sgemm call on pointers (the process's own BLAS,
// the one LibTorch calls, found at run time), the softmax and its backward are loops over rows,
// and the output is written in the layout o_proj reads ([B, T, H, d]), so no copy follows.
//
// What it computes is attend_gemm's (attend.h): grouped-query heads read their key/value head in
// place, the queries go in blocks that skip the keys no row of the block may see (every mask of
// a causal LM only narrows causal attention), the scores are mask + scale * q k^T. Forward and
// gradients equal attend_reference to float rounding (cpu_attention_test.cc).
#pragma once

#include <torch/torch.h>

namespace sftx::rt {

// True when the process has cblas_sgemm (Debian's LibTorch links libblas.so.3, which exports it)
// and the kernel is switched on (set_cpu_attention).
bool cpu_attention_ready();

// On by default. Off, attend() on LibTorch 1.13 takes attend_gemm: the previous computation, for
// bench_nn_train_throughput's --attention gemm (the gain measured in one run). Process-wide; not
// meant to change while a step runs.
void set_cpu_attention(bool enabled);

// q [B, H, T, d]; k, v [B, G, S, d], H a multiple of G; float32 on the CPU, any strides (a copy
// is made unless the last one is 1). mask as attend() takes it: undefined (causal, queries at the
// end of the keys), bool or additive, [B or 1, 1, T, S] or [T, S]. The result is [B, H, T, d],
// a view of a [B, T, H, d] buffer. Requires cpu_attention_ready().
torch::Tensor attend_cpu(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const torch::Tensor& mask);

}  // namespace sftx::rt
