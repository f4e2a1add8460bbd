// attend() against attend_reference(): on the LibTorch 2.x build attend() is
// at::scaled_dot_product_attention, and these cases are what keeps it equal to the textbook
// computation LibTorch 1.13 runs (causal blocks, packed blocks, KV-cache steps, bf16).
#include "runtime/nn/attend.h"

#include <torch/version.h>

#include <catch2/catch.hpp>

#include "runtime/nn/model.h"

using namespace sftx::rt;

namespace {

struct Qkv {
  torch::Tensor q, k, v;
};

// B = 2, H = 4 heads, T queries over S keys, head size 16.
Qkv random_qkv(int64_t T, int64_t S, torch::ScalarType dtype = torch::kFloat32) {
  torch::manual_seed(11);
  auto o = torch::TensorOptions().dtype(dtype);
  return {torch::randn({2, 4, T, 16}, o), torch::randn({2, 4, S, 16}, o), torch::randn({2, 4, S, 16}, o)};
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

}  // namespace

TEST_CASE("attend is the fused kernel exactly on LibTorch 2", "[attend]") {
  CHECK(attend_is_fused() == (TORCH_VERSION_MAJOR >= 2));
}

TEST_CASE("attend equals the reference on causal blocks", "[attend]") {
  auto [q, k, v] = random_qkv(9, 9);
  const torch::Tensor none;
  CHECK(max_abs_diff(attend(q, k, v, none), attend_reference(q, k, v, none)) < 1e-5);
  // Row 0 sees only key 0: its output is v's first row, in both.
  CHECK(max_abs_diff(attend(q, k, v, none).select(2, 0), v.select(2, 0)) < 1e-6);
}

TEST_CASE("attend equals the reference on packed blocks (segment mask)", "[attend]") {
  auto [q, k, v] = random_qkv(8, 8);
  // Two documents and two padding positions, per sequence of the batch.
  const auto seg = torch::tensor({1, 1, 1, 2, 2, 2, 0, 0, 1, 1, 2, 2, 2, 2, 2, 0}, torch::kInt64).view({2, 8});
  const torch::Tensor mask = segment_attention_mask(seg);
  CHECK(max_abs_diff(attend(q, k, v, mask), attend_reference(q, k, v, mask)) < 1e-5);
}

TEST_CASE("a KV-cache step (fewer queries than keys) sees every earlier key", "[attend]") {
  // The last 3 queries over 10 keys: equal to the last 3 rows of the full causal block, on both paths.
  auto [q, k, v] = random_qkv(10, 10);
  const torch::Tensor none;
  const torch::Tensor full = attend_reference(q, k, v, none).narrow(2, 7, 3);
  const torch::Tensor tail_q = q.narrow(2, 7, 3);
  CHECK(max_abs_diff(attend_reference(tail_q, k, v, none), full) < 1e-5);
  CHECK(max_abs_diff(attend(tail_q, k, v, none), full) < 1e-5);
}

TEST_CASE("attend in bf16 stays within bf16 rounding of the float32 reference", "[attend]") {
  auto [q, k, v] = random_qkv(12, 12);
  const torch::Tensor none;
  const torch::Tensor exact = attend_reference(q, k, v, none);
  const torch::Tensor bf16 = attend(q.to(torch::kBFloat16), k.to(torch::kBFloat16), v.to(torch::kBFloat16), none);
  CHECK(bf16.scalar_type() == torch::kBFloat16);
  // bf16 has 8 significant bits: inputs and output each round at ~0.4%; outputs are O(1).
  CHECK(max_abs_diff(bf16, exact) < 5e-2);
}
