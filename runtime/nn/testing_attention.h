// Test helpers (header only, for the attention *_test.cc files): random grouped-query inputs that
// record gradients, one forward and backward through an attention function, and the comparison
// of its output and every input gradient with another's.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include <catch2/catch.hpp>

namespace sftx::rt::testing {

struct Qkv {
  torch::Tensor q, k, v;
};

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// B = 2, H = 4 query heads over G = 2 key/value heads, T queries over S keys, head size d;
// leaves that record gradients.
inline Qkv grouped_qkv(int64_t T, int64_t S, int64_t d = 16) {
  torch::manual_seed(23);
  auto o = torch::TensorOptions().requires_grad(true);
  return {torch::randn({2, 4, T, d}, o), torch::randn({2, 2, S, d}, o), torch::randn({2, 2, S, d}, o)};
}

struct Grads {
  torch::Tensor out, dq, dk, dv;
};

// The output, and the gradients of sum(out * w) for a fixed random w of out's shape. The weights
// are drawn by shape, not with randn_like, which follows out's strides: two functions returning
// the same values in different layouts (a permuted view, a contiguous tensor) get the same w.
template <class Attend>
Grads run_with_grads(Attend attend_fn, const Qkv& in, const torch::Tensor& mask) {
  for (const torch::Tensor& t : {in.q, in.k, in.v})
    if (t.grad().defined()) t.grad().zero_();
  torch::Tensor out = attend_fn(in.q, in.k, in.v, mask);
  torch::manual_seed(5);
  (out * torch::randn(out.sizes())).sum().backward();
  return {out.detach(), in.q.grad().clone(), in.k.grad().clone(), in.v.grad().clone()};
}

// Output and every input gradient within 1e-5 of the reference's.
inline void check_same_grads(const Grads& got, const Grads& want) {
  CHECK(max_abs_diff(got.out, want.out) < 1e-5);
  CHECK(max_abs_diff(got.dq, want.dq) < 1e-5);
  CHECK(max_abs_diff(got.dk, want.dk) < 1e-5);
  CHECK(max_abs_diff(got.dv, want.dv) < 1e-5);
}

}  // namespace sftx::rt::testing
