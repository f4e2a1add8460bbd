// bf16 autocast on the CPU (LibTorch >= 2.4): matmuls run in bf16 inside the scope and in float32
// after it, and a model's logits stay within bf16 rounding of its float32 logits. With LibTorch
// 1.13 the CPU scope is refused (the trainer then trains fp32: trainer_test.cc).
#include "runtime/nn/autocast.h"

#include <torch/version.h>

#include <catch2/catch.hpp>

#include "runtime/nn/testing_models.h"

using namespace sftx::rt;

TEST_CASE("CPU bf16 autocast exists exactly from LibTorch 2.4", "[autocast]") {
  CHECK(cpu_bf16_autocast() == (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)));
  if (!cpu_bf16_autocast()) CHECK_THROWS_AS(AutocastScope(true, torch::kCPU), std::invalid_argument);
}

TEST_CASE("CPU autocast runs matmuls in bf16 inside the scope only", "[autocast]") {
  if (!cpu_bf16_autocast()) return;  // LibTorch 1.13: the case above checks the refusal
  const auto a = torch::randn({4, 8}), b = torch::randn({8, 3});
  {
    AutocastScope scope(true, torch::kCPU);
    CHECK(torch::matmul(a, b).scalar_type() == torch::kBFloat16);
  }
  CHECK(torch::matmul(a, b).scalar_type() == torch::kFloat32);
  {
    AutocastScope off(false, torch::kCPU);
    CHECK(torch::matmul(a, b).scalar_type() == torch::kFloat32);
  }
}

TEST_CASE("a model's logits under CPU bf16 autocast stay near its float32 logits", "[autocast]") {
  if (!cpu_bf16_autocast()) return;
  Llama model = testing::peaked_model(5);
  torch::NoGradGuard no_grad;
  torch::manual_seed(6);
  const auto ids = torch::randint(40, {2, 12}, torch::kInt64);
  const torch::Tensor exact = model->forward(ids);
  torch::Tensor mixed;
  {
    AutocastScope scope(true, torch::kCPU);
    mixed = model->forward(ids);
  }
  CHECK(mixed.scalar_type() == torch::kBFloat16);
  const double scale = exact.abs().max().item<double>();
  const double err = (mixed.to(torch::kFloat32) - exact).abs().max().item<double>();
  CHECK(err > 0);                // bf16 did run
  // bf16 keeps 8 significant bits (~0.4% per rounding), compounded over two layers of this
  // model's large weights: measured 3.2% of the logits' scale on LibTorch 2.14; a wrong cast
  // (or none of the float32 islands) would be off by the scale itself.
  CHECK(err < 5e-2 * scale);
  // Greedy choices agree where the float32 margin is clear of that error.
  const auto top2 = std::get<0>(exact.topk(2, -1));
  const auto clear = (top2.select(-1, 0) - top2.select(-1, 1)) > 2 * err;
  CHECK(clear.any().item<bool>());
  CHECK(torch::equal(exact.argmax(-1).masked_select(clear), mixed.to(torch::kFloat32).argmax(-1).masked_select(clear)));
}
