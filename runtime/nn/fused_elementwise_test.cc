// The fused RMSNorm, rotary embedding and SwiGLU activation against their tensor-op forms,
// computed in float64 from the same inputs: outputs and every gradient, per tensor.
#include "runtime/nn/fused_elementwise.h"

#include <ATen/Parallel.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>

#include "runtime/nn/model.h"
#include "runtime/nn/testing_models.h"

using namespace sftx::rt;

namespace {

// Largest |a - b| relative to the scale of b (1 where b is small).
double relative_diff(const torch::Tensor& a, const torch::Tensor& b) {
  const auto a64 = a.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
  return ((a64 - b64).abs() / b64.abs().clamp_min(1.0)).max().item<double>();
}

// A float32 leaf and its float64 copy, both asking for gradients.
struct Leaf {
  torch::Tensor f32, f64;
};

Leaf leaf(const torch::Tensor& values) {
  return {values.to(torch::kFloat32).detach().requires_grad_(true),
          values.to(torch::kFloat64).detach().requires_grad_(true)};
}

// Restores the intra-op thread count a test changed.
struct ThreadCount {
  int saved = at::get_num_threads();
  ~ThreadCount() { at::set_num_threads(saved); }
};

// Restores elementwise fusion however a test ends.
struct FusionOff {
  FusionOff() { set_elementwise_fusion(false); }
  ~FusionOff() { set_elementwise_fusion(true); }
};

// Loss and every parameter's gradient of one training step on a packed block of two documents.
std::map<std::string, torch::Tensor> step_gradients(Llama& model, double* loss_out) {
  const auto ids = torch::randint(0, model->config().vocab_size, {2, 12}, torch::TensorOptions().dtype(torch::kInt64)
                                                                              .device(torch::kCPU));
  const auto segments = torch::tensor({1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2},
                                      torch::kInt64).view({2, 12});
  model->zero_grad();
  const auto loss = causal_lm_loss(model->forward(ids, segments), ids, torch::ones_like(ids), segments);
  (loss.sum / static_cast<double>(loss.count)).backward();
  *loss_out = loss.sum.item<double>();
  std::map<std::string, torch::Tensor> grads;
  for (const auto& p : model->named_parameters()) grads[p.key()] = p.value().grad().clone();
  return grads;
}

}  // namespace

TEST_CASE("a training step of the model gives the same loss and gradients with and without fusion", "[fused_elementwise]") {
  torch::manual_seed(12);
  Llama model(testing::tiny_config(50, 48));
  model->train();
  REQUIRE(elementwise_fusion());
  double fused_loss = 0, reference_loss = 0;
  torch::manual_seed(13);
  const auto fused = step_gradients(model, &fused_loss);
  std::map<std::string, torch::Tensor> reference;
  {
    FusionOff off;
    torch::manual_seed(13);
    reference = step_gradients(model, &reference_loss);
  }
  CHECK(fused_loss == Approx(reference_loss).epsilon(1e-6));
  REQUIRE(fused.size() == reference.size());
  for (const auto& [name, grad] : reference) {
    INFO(name);
    const double scale = grad.abs().max().item<double>();
    CHECK(scale > 0);  // every parameter is reached
    CHECK((fused.at(name) - grad).abs().max().item<double>() <= 1e-5 * std::max(1.0, scale));
  }
}

TEST_CASE("rms_norm equals the reference, forward and both gradients", "[fused_elementwise]") {
  // Row lengths on and off the 8-wide partial sums; row counts on and off the 64-row partials of dw.
  for (const auto& [rows, n] : std::vector<std::pair<int64_t, int64_t>>{{150, 37}, {64, 128}, {3, 384}, {1, 8}}) {
    CAPTURE(rows, n);
    torch::manual_seed(3);
    Leaf x = leaf(torch::randn({rows, n}, torch::kFloat64) * 3);
    Leaf w = leaf(torch::randn({n}, torch::kFloat64));
    const torch::Tensor y = rms_norm(x.f32, w.f32, 1e-5);
    const torch::Tensor y_ref = rms_norm_reference(x.f64, w.f64, 1e-5);
    CHECK(relative_diff(y, y_ref) < 1e-5);
    const torch::Tensor dy = torch::randn({rows, n}, torch::kFloat64);
    y.backward(dy.to(torch::kFloat32));
    y_ref.backward(dy);
    CHECK(relative_diff(x.f32.grad(), x.f64.grad()) < 1e-5);
    CHECK(relative_diff(w.f32.grad(), w.f64.grad()) < 1e-4);  // a sum over up to 150 rows
  }
}

TEST_CASE("rms_norm takes the leading dimensions as rows and a frozen weight gets no gradient", "[fused_elementwise]") {
  torch::manual_seed(4);
  Leaf x = leaf(torch::randn({2, 5, 16}, torch::kFloat64));
  const torch::Tensor w = torch::rand({16}) + 0.5;  // frozen, as under LoRA
  const torch::Tensor y = rms_norm(x.f32, w, 1e-6);
  const torch::Tensor y_ref = rms_norm_reference(x.f64, w.to(torch::kFloat64), 1e-6);
  CHECK(y.sizes() == x.f32.sizes());
  CHECK(relative_diff(y, y_ref) < 1e-5);
  y.sum().backward();
  y_ref.sum().backward();
  CHECK(relative_diff(x.f32.grad(), x.f64.grad()) < 1e-5);
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("rms_norm's weight gradient is the same whatever the thread count", "[fused_elementwise]") {
  ThreadCount restore;
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({1000, 64});
  const torch::Tensor dy = torch::randn({1000, 64});
  std::vector<torch::Tensor> dws;
  for (int threads : {1, 2, 3}) {
    at::set_num_threads(threads);
    const torch::Tensor w = torch::full({64}, 1.5).requires_grad_(true);
    rms_norm(x, w, 1e-5).backward(dy);
    dws.push_back(w.grad().clone());
  }
  CHECK(torch::equal(dws[0], dws[1]));
  CHECK(torch::equal(dws[0], dws[2]));
}

TEST_CASE("rotary equals the reference on a transposed projection, forward and gradient", "[fused_elementwise]") {
  const int64_t B = 2, T = 7, H = 3, d = 10;
  torch::manual_seed(6);
  // As the attention layer makes q: [B, T, H, d] viewed as [B, H, T, d].
  Leaf x = leaf(torch::randn({B, T, H, d}, torch::kFloat64));
  const torch::Tensor q32 = x.f32.transpose(1, 2), q64 = x.f64.transpose(1, 2);
  const torch::Tensor positions = torch::arange(T, torch::kFloat64).unsqueeze(0).expand({B, T}) + torch::tensor({{0.0}, {3.0}});
  torch::Tensor angles = positions.unsqueeze(-1) * torch::rand({d / 2}, torch::kFloat64);
  angles = torch::cat({angles, angles}, -1);
  const torch::Tensor cos = angles.cos(), sin = angles.sin();

  const torch::Tensor y = rotary(q32, cos.to(torch::kFloat32), sin.to(torch::kFloat32));
  const torch::Tensor y_ref = rotary_reference(q64, cos, sin);
  CHECK(relative_diff(y, y_ref) < 1e-5);
  CHECK(y.strides() == q32.strides());  // the layout the attention kernels received before
  const torch::Tensor dy = torch::randn({B, H, T, d}, torch::kFloat64);
  y.backward(dy.to(torch::kFloat32));
  y_ref.backward(dy);
  CHECK(relative_diff(x.f32.grad(), x.f64.grad()) < 1e-5);
}

TEST_CASE("rotary broadcasts one table over the batch", "[fused_elementwise]") {
  torch::manual_seed(7);
  const torch::Tensor x = torch::randn({3, 2, 5, 8});
  const torch::Tensor angles = torch::rand({1, 5, 8}) * 4;
  CHECK(relative_diff(rotary(x, angles.cos(), angles.sin()), rotary_reference(x, angles.cos(), angles.sin())) < 1e-6);
}

TEST_CASE("silu_mul equals the reference, forward and both gradients, far into both tails", "[fused_elementwise]") {
  torch::manual_seed(8);
  torch::Tensor g = torch::randn({40, 33}, torch::kFloat64) * 4;
  g[0][0] = 0;
  g[0][1] = 90;   // beyond the largest float exponent of e^-x: the sigmoid is 1
  g[0][2] = -90;  // and 0
  g[0][3] = 20;
  g[0][4] = -20;
  Leaf gate = leaf(g);
  Leaf up = leaf(torch::randn({40, 33}, torch::kFloat64));
  const torch::Tensor y = silu_mul(gate.f32, up.f32);
  const torch::Tensor y_ref = silu_mul_reference(gate.f64, up.f64);
  CHECK(relative_diff(y, y_ref) < 1e-6);
  const torch::Tensor dy = torch::randn({40, 33}, torch::kFloat64);
  y.backward(dy.to(torch::kFloat32));
  y_ref.backward(dy);
  CHECK(relative_diff(gate.f32.grad(), gate.f64.grad()) < 1e-6);
  CHECK(relative_diff(up.f32.grad(), up.f64.grad()) < 1e-6);
}

TEST_CASE("outside float32 on the CPU each op is its tensor-op form exactly", "[fused_elementwise]") {
  torch::manual_seed(9);
  const torch::Tensor x = torch::randn({4, 6}, torch::kFloat64), w = torch::randn({6}, torch::kFloat64);
  CHECK(torch::equal(rms_norm(x, w, 1e-5), rms_norm_reference(x, w, 1e-5)));
  CHECK(torch::equal(silu_mul(x, w.expand({4, 6})), silu_mul_reference(x, w.expand({4, 6}))));
  const torch::Tensor q = torch::randn({1, 2, 3, 4}, torch::kFloat64), table = torch::randn({1, 3, 4}, torch::kFloat64);
  CHECK(torch::equal(rotary(q, table, table), rotary_reference(q, table, table)));
}

TEST_CASE("without autograd the fused ops give the same numbers", "[fused_elementwise]") {
  torch::manual_seed(10);
  const torch::Tensor x = torch::randn({6, 16}).requires_grad_(true), w = torch::randn({16}).requires_grad_(true);
  const torch::Tensor with_graph = rms_norm(x, w, 1e-5);
  CHECK(with_graph.requires_grad());
  torch::NoGradGuard no_grad;
  const torch::Tensor without = rms_norm(x, w, 1e-5);
  CHECK_FALSE(without.requires_grad());
  CHECK(torch::equal(with_graph.detach(), without));
  CHECK(torch::equal(silu_mul(x, x).detach(), silu_mul(x.detach(), x.detach())));
}

TEST_CASE("cross_entropy_sum equals the reference, loss and gradient, with ignored rows", "[fused_elementwise]") {
  // Vocabularies on and off the 8-wide partials; logits large enough that an unshifted exp would
  // overflow float32.
  for (const auto& [rows, V, scale] :
       std::vector<std::tuple<int64_t, int64_t, double>>{{30, 37, 3.0}, {17, 2000, 1.0}, {5, 8, 60.0}, {4, 3, 1.0}}) {
    CAPTURE(rows, V, scale);
    torch::manual_seed(11);
    Leaf logits = leaf(torch::randn({rows, V}, torch::kFloat64) * scale);
    torch::Tensor labels = torch::randint(0, V, {rows}, torch::TensorOptions().dtype(torch::kInt64));
    labels[0] = -100;
    labels[rows - 1] = -100;
    const torch::Tensor loss = cross_entropy_sum(logits.f32, labels);
    const torch::Tensor loss_ref = cross_entropy_sum_reference(logits.f64, labels);
    CHECK(loss.scalar_type() == torch::kFloat32);
    CHECK(loss.dim() == 0);
    CHECK(relative_diff(loss, loss_ref) < 1e-5);
    (loss * 0.7).backward();
    (loss_ref * 0.7).backward();
    CHECK(relative_diff(logits.f32.grad(), logits.f64.grad()) < 1e-6);
    CHECK(logits.f32.grad()[0].abs().max().item<float>() == 0);  // an ignored row: no gradient
  }
}

TEST_CASE("cross_entropy_sum takes [B, T, V] logits as they are and sums the same at any thread count",
          "[fused_elementwise]") {
  ThreadCount restore;
  torch::manual_seed(12);
  const torch::Tensor logits = torch::randn({3, 50, 64}) * 2;
  const torch::Tensor labels = torch::randint(0, 64, {3, 50}, torch::TensorOptions().dtype(torch::kInt64));
  std::vector<torch::Tensor> sums;
  for (int threads : {1, 2, 3}) {
    at::set_num_threads(threads);
    sums.push_back(cross_entropy_sum(logits, labels));
  }
  CHECK(torch::equal(sums[0], sums[1]));
  CHECK(torch::equal(sums[0], sums[2]));
  CHECK(relative_diff(sums[0], cross_entropy_sum_reference(logits.to(torch::kFloat64), labels)) < 1e-5);
}

TEST_CASE("cross_entropy_sum reports a NaN logit as the reference does and refuses a label outside the vocabulary",
          "[fused_elementwise]") {
  torch::Tensor logits = torch::randn({4, 20});
  const torch::Tensor labels = torch::tensor({1, 2, 3, 4}, torch::kInt64);
  logits[2][7] = std::numeric_limits<float>::quiet_NaN();  // not the label: the max and exp would skip it
  CHECK(std::isnan(cross_entropy_sum(logits, labels).item<float>()));
  CHECK(std::isnan(cross_entropy_sum_reference(logits, labels).item<float>()));
  logits[2][7] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(std::isfinite(cross_entropy_sum(logits, labels).item<float>()));
  const torch::Tensor finite = torch::randn({4, 20});
  CHECK_THROWS_WITH(cross_entropy_sum(finite, torch::tensor({1, 20, 3, 4}, torch::kInt64)), Catch::Contains("outside [0, 20)"));
  CHECK_THROWS_WITH(cross_entropy_sum(finite, torch::tensor({1, -3, 3, 4}, torch::kInt64)), Catch::Contains("not -100"));
  CHECK(cross_entropy_sum(finite, torch::full({4}, -100, torch::kInt64)).item<float>() == 0);  // all ignored
}
