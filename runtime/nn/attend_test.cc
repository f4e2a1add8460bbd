// attend() against attend_reference(): on the LibTorch 2.x build attend() is
// at::scaled_dot_product_attention, and these cases are what keeps it equal to the textbook
// computation LibTorch 1.13 runs (causal blocks, packed blocks, KV-cache steps, bf16).
#include "runtime/nn/attend.h"

#include <torch/version.h>

#include <limits>

#include <catch2/catch.hpp>

#include "runtime/nn/model.h"
#include "runtime/nn/testing_attention.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;

namespace {

// B = 2, H = 4 heads, T queries over S keys, head size 16.
Qkv random_qkv(int64_t T, int64_t S, torch::ScalarType dtype = torch::kFloat32) {
  torch::manual_seed(11);
  auto o = torch::TensorOptions().dtype(dtype);
  return {torch::randn({2, 4, T, 16}, o), torch::randn({2, 4, S, 16}, o), torch::randn({2, 4, S, 16}, o)};
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

namespace {

// HF's repeat_kv, written out independently of attend.cc: head h reads key/value head h / n_rep.
torch::Tensor repeat_heads(const torch::Tensor& x, int64_t n_rep) {
  return x.repeat_interleave(n_rep, /*dim=*/1);
}

}  // namespace

TEST_CASE("grouped-query heads: query head h reads key/value head h / n_rep, on every path", "[attend]") {
  const Qkv g = grouped_qkv(7, 7);
  const torch::Tensor none;
  const torch::Tensor expected = attend_reference(g.q, repeat_heads(g.k, 2), repeat_heads(g.v, 2), none);
  CHECK(max_abs_diff(attend_reference(g.q, g.k, g.v, none), expected) < 1e-6);
  CHECK(max_abs_diff(attend_gemm(g.q, g.k, g.v, none), expected) < 1e-5);
  CHECK(max_abs_diff(attend(g.q, g.k, g.v, none), expected) < 1e-5);
  // 3 query heads over 2 key/value heads pair no way: refused, not guessed.
  CHECK_THROWS(attend(g.q.narrow(1, 0, 3), g.k, g.v, none));
}

TEST_CASE("the GEMM path equals the reference forward and backward, with every kind of mask", "[attend]") {
  const Qkv g = grouped_qkv(8, 8);
  const auto seg = torch::tensor({1, 1, 1, 2, 2, 2, 0, 0, 1, 1, 2, 2, 2, 2, 2, 0}, torch::kInt64).view({2, 8});
  const torch::Tensor bool_mask = segment_attention_mask(seg);
  const torch::Tensor additive = prepare_attention_mask(bool_mask, torch::kFloat32);
  const torch::Tensor causal_bool = torch::ones({8, 8}, torch::kBool).tril().view({1, 1, 8, 8});
  for (const torch::Tensor& mask : {torch::Tensor(), bool_mask, additive, causal_bool}) {
    check_same_grads(run_with_grads(attend_gemm, g, mask), run_with_grads(attend_reference, g, mask));
  }
}

TEST_CASE("an additive mask means what its bool form means", "[attend]") {
  const Qkv g = grouped_qkv(8, 8);
  const auto seg = torch::tensor({1, 1, 2, 2, 2, 3, 3, 0, 1, 1, 1, 1, 1, 1, 0, 0}, torch::kInt64).view({2, 8});
  const torch::Tensor bool_mask = segment_attention_mask(seg);
  const torch::Tensor additive =
      torch::zeros(bool_mask.sizes()).masked_fill(bool_mask.logical_not(), -std::numeric_limits<float>::infinity());
  CHECK(max_abs_diff(attend(g.q, g.k, g.v, additive), attend(g.q, g.k, g.v, bool_mask)) < 1e-6);
  CHECK(max_abs_diff(attend_reference(g.q, g.k, g.v, additive), attend_reference(g.q, g.k, g.v, bool_mask)) < 1e-6);
}

TEST_CASE("the GEMM path leaves a shared mask as it found it", "[attend]") {
  // One key/value head per query head and one mask per sequence: the broadcast copy of the mask
  // is then the mask's own shape, the case where a view would let the in-place GEMM write into it.
  torch::manual_seed(3);
  const torch::Tensor q = torch::randn({2, 1, 6, 8}), k = torch::randn({2, 1, 6, 8}), v = torch::randn({2, 1, 6, 8});
  const torch::Tensor mask =
      prepare_attention_mask(torch::ones({6, 6}, torch::kBool).tril().expand({2, 1, 6, 6}).contiguous(), torch::kFloat32);
  const torch::Tensor before = mask.clone();
  attend_gemm(q, k, v, mask);
  attend_gemm(q, k, v, mask);
  CHECK(torch::equal(mask, before));
}

TEST_CASE("a decode step with a padding mask: grouped heads read the cache unrepeated", "[attend]") {
  // One query per row over 9 keys, the first two keys of row 1 padding.
  const Qkv g = grouped_qkv(1, 9);
  torch::Tensor valid = torch::ones({2, 9}, torch::kBool);
  valid[1].narrow(0, 0, 2).fill_(false);
  const torch::Tensor mask = valid.view({2, 1, 1, 9});
  const torch::Tensor expected = attend_reference(g.q, repeat_heads(g.k, 2), repeat_heads(g.v, 2), mask);
  CHECK(max_abs_diff(attend(g.q, g.k, g.v, mask), expected) < 1e-5);
  CHECK(max_abs_diff(attend(g.q, g.k, g.v, prepare_attention_mask(mask, torch::kFloat32)), expected) < 1e-5);
}

TEST_CASE("the causal split: long blocks equal the reference forward and backward", "[attend]") {
  // 300 queries (two uneven blocks) over their own keys, packed as three documents and padding,
  // and 260 queries at the end of 300 keys (a prefill after a cache), causal only.
  torch::manual_seed(41);
  auto o = torch::TensorOptions().requires_grad(true);
  const Qkv g{torch::randn({1, 4, 300, 8}, o), torch::randn({1, 2, 300, 8}, o), torch::randn({1, 2, 300, 8}, o)};
  torch::Tensor seg = torch::zeros({1, 300}, torch::kInt64);
  seg.narrow(1, 0, 90).fill_(1);
  seg.narrow(1, 90, 150).fill_(2);
  seg.narrow(1, 240, 50).fill_(3);
  const torch::Tensor packed = segment_attention_mask(seg);
  for (const torch::Tensor& mask : {packed, prepare_attention_mask(packed, torch::kFloat32), torch::Tensor()}) {
    check_same_grads(run_with_grads(attend_gemm, g, mask), run_with_grads(attend_reference, g, mask));
  }
  const Qkv tail{g.q.detach().narrow(2, 40, 260), g.k.detach(), g.v.detach()};
  const torch::Tensor none;
  CHECK(max_abs_diff(attend_gemm(tail.q, tail.k, tail.v, none), attend_reference(tail.q, tail.k, tail.v, none)) < 1e-5);
}
