// attend_cpu (direct BLAS calls, its own softmax and backward) against attend_reference, the
// textbook computation, forward and every input gradient to 1e-5.
#include "runtime/nn/cpu_attention.h"

#include <torch/version.h>

#include <catch2/catch.hpp>

#include "runtime/nn/attend.h"
#include "runtime/nn/model.h"
#include "runtime/nn/testing_attention.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;

namespace {

// Three documents and padding in each of two sequences of length T.
torch::Tensor packed_mask(int64_t T) {
  torch::Tensor seg = torch::zeros({2, T}, torch::kInt64);
  seg[0].narrow(0, 0, T / 3).fill_(1);
  seg[0].narrow(0, T / 3, T / 2).fill_(2);
  seg[0].narrow(0, T / 3 + T / 2, T - T / 3 - T / 2 - 2).fill_(3);
  seg[1].narrow(0, 0, T - 1).fill_(1);
  seg[1].narrow(0, T / 4, T / 4).fill_(2);
  return segment_attention_mask(seg);
}

}  // namespace

TEST_CASE("the CPU attention kernel is what LibTorch 1.13 runs in float32", "[cpu_attention]") {
  // Debian's LibTorch links libblas.so.3, which exports cblas_sgemm; the torch 2.x flavour runs
  // SDPA instead and may not export one.
  if (TORCH_VERSION_MAJOR < 2) REQUIRE(cpu_attention_ready());
}

TEST_CASE("the CPU attention kernel equals the reference forward and backward, with every kind of mask",
          "[cpu_attention]") {
  if (!cpu_attention_ready()) return;
  // One block (8 queries) and two uneven blocks (301 queries: 150 and 151 rows).
  for (const int64_t T : {8, 301}) {
    CAPTURE(T);
    const Qkv g = grouped_qkv(T, T);
    const torch::Tensor bool_mask = packed_mask(T);
    const torch::Tensor additive = prepare_attention_mask(bool_mask, torch::kFloat32);
    const torch::Tensor causal_bool = torch::ones({T, T}, torch::kBool).tril().view({1, 1, T, T});
    for (const torch::Tensor& mask : {torch::Tensor(), bool_mask, additive, causal_bool}) {
      CAPTURE(mask.defined() ? mask.sizes().vec() : std::vector<int64_t>{});
      check_same_grads(run_with_grads(attend_cpu, g, mask), run_with_grads(attend_reference, g, mask));
    }
  }
}

TEST_CASE("the CPU attention kernel: queries at the end of a longer key sequence (a prefill after a cache)",
          "[cpu_attention]") {
  if (!cpu_attention_ready()) return;
  // 260 queries over 300 keys (two blocks), and one query over 9 keys (a decode step) with padding.
  const Qkv g = grouped_qkv(260, 300, 8);
  const torch::Tensor causal;
  check_same_grads(run_with_grads(attend_cpu, g, causal), run_with_grads(attend_reference, g, causal));
  const Qkv step = grouped_qkv(1, 9);
  torch::Tensor valid = torch::ones({2, 9}, torch::kBool);
  valid[1].narrow(0, 0, 2).fill_(false);
  const torch::Tensor padded = valid.view({2, 1, 1, 9});
  check_same_grads(run_with_grads(attend_cpu, step, padded), run_with_grads(attend_reference, step, padded));
}

TEST_CASE("the CPU attention kernel reads strided inputs and writes o_proj's layout", "[cpu_attention]") {
  if (!cpu_attention_ready()) return;
  // As the model makes them: q, k, v are transposed views of [B, T, heads, d] projections, and the
  // output goes back through transpose(1, 2) into [B, T, H * d].
  torch::manual_seed(31);
  auto o = torch::TensorOptions().requires_grad(true);
  const torch::Tensor qp = torch::randn({2, 40, 4, 16}, o), kp = torch::randn({2, 40, 2, 16}, o),
                      vp = torch::randn({2, 40, 2, 16}, o);
  const Qkv views{qp.transpose(1, 2), kp.transpose(1, 2), vp.transpose(1, 2)};
  const torch::Tensor out = attend_cpu(views.q, views.k, views.v, torch::Tensor());
  CHECK(out.transpose(1, 2).is_contiguous());
  CHECK(max_abs_diff(out, attend_reference(views.q, views.k, views.v, torch::Tensor())) < 1e-5);
  // Gradients reach the projections' outputs as the reference's do.
  torch::manual_seed(3);
  const torch::Tensor weight = torch::randn({2, 4, 40, 16});
  (out * weight).sum().backward();
  const torch::Tensor dq = qp.grad().clone(), dk = kp.grad().clone(), dv = vp.grad().clone();
  for (const torch::Tensor& t : {qp, kp, vp}) t.grad().zero_();
  (attend_reference(views.q, views.k, views.v, torch::Tensor()) * weight).sum().backward();
  CHECK(max_abs_diff(dq, qp.grad()) < 1e-5);
  CHECK(max_abs_diff(dk, kp.grad()) < 1e-5);
  CHECK(max_abs_diff(dv, vp.grad()) < 1e-5);
}

TEST_CASE("the CPU attention kernel: gradients and inputs whose rows BLAS cannot read as they are",
          "[cpu_attention]") {
  if (!cpu_attention_ready()) return;
  // A sum over the sequence hands back an expanded gradient (row stride 0); a one-query step may
  // carry any stride on its size-1 dimension. Both must give the reference's numbers.
  const Qkv g = grouped_qkv(12, 12);
  auto loss = [](const torch::Tensor& out) { return out.sum(/*dim=*/2).pow(2).sum(); };
  for (const auto& t : {g.q, g.k, g.v})
    if (t.grad().defined()) t.grad().zero_();
  loss(attend_cpu(g.q, g.k, g.v, torch::Tensor())).backward();
  const torch::Tensor dq = g.q.grad().clone(), dk = g.k.grad().clone(), dv = g.v.grad().clone();
  for (const auto& t : {g.q, g.k, g.v}) t.grad().zero_();
  loss(attend_reference(g.q, g.k, g.v, torch::Tensor())).backward();
  CHECK(max_abs_diff(dq, g.q.grad()) < 1e-4);
  CHECK(max_abs_diff(dk, g.k.grad()) < 1e-4);
  CHECK(max_abs_diff(dv, g.v.grad()) < 1e-4);
  torch::NoGradGuard no_grad;
  const torch::Tensor one = torch::randn({2, 4, 16, 1}).transpose(2, 3);  // [2, 4, 1, 16], row stride 1
  CHECK(max_abs_diff(attend_cpu(one, g.k, g.v, torch::Tensor()), attend_reference(one, g.k, g.v, torch::Tensor())) <
        1e-5);
  const torch::Tensor none = attend_cpu(g.q.narrow(2, 0, 0), g.k.narrow(2, 0, 0), g.v.narrow(2, 0, 0), torch::Tensor());
  CHECK(none.numel() == 0);
}

TEST_CASE("the CPU attention kernel without a gradient gives what it gives with one", "[cpu_attention]") {
  if (!cpu_attention_ready()) return;
  const Qkv g = grouped_qkv(130, 130);
  const torch::Tensor mask = packed_mask(130);
  const torch::Tensor with_grad = attend_cpu(g.q, g.k, g.v, mask).detach();
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(attend_cpu(g.q, g.k, g.v, mask), with_grad));
}

TEST_CASE("the CPU attention kernel: a row with no key to attend to is NaN, as torch's softmax makes it",
          "[cpu_attention]") {
  if (!cpu_attention_ready()) return;
  const Qkv g = grouped_qkv(6, 6);
  torch::Tensor mask = torch::ones({1, 1, 6, 6}, torch::kBool).tril();
  mask[0][0][3].fill_(false);
  torch::NoGradGuard no_grad;
  const torch::Tensor got = attend_cpu(g.q, g.k, g.v, mask), want = attend_reference(g.q, g.k, g.v, mask);
  CHECK(got.select(2, 3).isnan().all().item<bool>());
  CHECK(want.select(2, 3).isnan().all().item<bool>());
  const torch::Tensor rest = torch::tensor({0, 1, 2, 4, 5});
  CHECK(max_abs_diff(got.index_select(2, rest), want.index_select(2, rest)) < 1e-5);
}

TEST_CASE("the CPU attention kernel refuses what it cannot compute", "[cpu_attention]") {
  if (!cpu_attention_ready()) return;
  const Qkv g = grouped_qkv(6, 6);
  torch::NoGradGuard no_grad;
  CHECK_THROWS(attend_cpu(g.q, g.k, g.v, torch::ones({2, 1, 6, 5}, torch::kBool)));  // a mask of another shape
  CHECK_THROWS(attend_cpu(g.q.narrow(1, 0, 3), g.k, g.v, torch::Tensor()));          // 3 heads over 2
  CHECK_THROWS(attend_cpu(g.q.to(torch::kFloat64), g.k, g.v, torch::Tensor()));      // not float32
  CHECK_THROWS(attend_cpu(g.q, g.k.narrow(2, 0, 4), g.v.narrow(2, 0, 4), torch::Tensor()));  // more queries than keys
}

TEST_CASE("switched off, attend() takes the GEMM path and gives the same attention", "[cpu_attention]") {
  const Qkv g = grouped_qkv(20, 20);
  const torch::Tensor mask = prepare_attention_mask(packed_mask(20), torch::kFloat32);
  torch::NoGradGuard no_grad;
  const torch::Tensor on = attend(g.q, g.k, g.v, mask);
  set_cpu_attention(false);
  CHECK_FALSE(cpu_attention_ready());
  const torch::Tensor off = attend(g.q, g.k, g.v, mask);
  set_cpu_attention(true);
  CHECK(max_abs_diff(on, off) < 1e-5);
  if (TORCH_VERSION_MAJOR < 2) CHECK(max_abs_diff(off, attend_gemm(g.q, g.k, g.v, mask)) == 0.0);
}
