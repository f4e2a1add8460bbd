// FusedAdamW (at::_fused_adamw_ on LibTorch >= 2.4) against torch::optim::AdamW, LibTorch 1.13's
// and the reference: the same parameters, gradients and groups give the same weights and state.
#include "runtime/nn/fused_adamw.h"

#include <torch/version.h>

#include <sstream>

#include <catch2/catch.hpp>

using namespace sftx::rt;

namespace {

// A matrix group with weight decay and a vector group without (the trainer's two groups).
struct Params {
  torch::Tensor matrix, vector;
  std::vector<torch::optim::OptimizerParamGroup> groups(double lr) const {
    std::vector<torch::optim::OptimizerParamGroup> g;
    g.emplace_back(std::vector<torch::Tensor>{matrix},
                   std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).weight_decay(0.1)));
    g.emplace_back(std::vector<torch::Tensor>{vector},
                   std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).weight_decay(0.0)));
    return g;
  }
};

Params make_params() {
  torch::manual_seed(3);
  return {torch::randn({16, 8}).requires_grad_(), torch::randn({8}).requires_grad_()};
}

Params clone(const Params& p) {
  return {p.matrix.detach().clone().requires_grad_(), p.vector.detach().clone().requires_grad_()};
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

// Steps both optimisers with the same seeded gradients (a changing lr, as the schedule does).
template <typename A, typename B>
void run_both(A& a, Params& pa, B& b, Params& pb, int steps) {
  for (int s = 0; s < steps; ++s) {
    torch::manual_seed(100 + s);
    const auto gm = torch::randn({16, 8}), gv = torch::randn({8});
    pa.matrix.mutable_grad() = gm.clone(), pa.vector.mutable_grad() = gv.clone();
    pb.matrix.mutable_grad() = gm.clone(), pb.vector.mutable_grad() = gv.clone();
    for (auto* opt : std::vector<torch::optim::Optimizer*>{&a, &b})
      for (auto& group : opt->param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(1e-2 * (1.0 - 0.03 * s));
    a.step();
    b.step();
  }
}

}  // namespace

TEST_CASE("FusedAdamW runs the fused kernel exactly from LibTorch 2.4", "[adamw]") {
  CHECK(FusedAdamW::fused() == (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)));
}

TEST_CASE("FusedAdamW follows torch::optim::AdamW step for step", "[adamw]") {
  Params ref = make_params(), fused = clone(ref);
  torch::optim::AdamW reference(ref.groups(1e-2), torch::optim::AdamWOptions(1e-2));
  FusedAdamW optimizer(fused.groups(1e-2), torch::optim::AdamWOptions(1e-2));
  run_both(reference, ref, optimizer, fused, 30);
  // Float32 kernels that order the same operations differently: a few ulps per step.
  CHECK(max_abs_diff(ref.matrix, fused.matrix) < 1e-5);
  CHECK(max_abs_diff(ref.vector, fused.vector) < 1e-5);
  CHECK(max_abs_diff(ref.matrix, make_params().matrix) > 1e-2);  // the steps did move the weights
  // The state is AdamW's own: step counts and moments agree.
  const auto& rs = static_cast<torch::optim::AdamWParamState&>(*reference.state().begin()->second);
  CHECK(rs.step() == 30);
  for (const auto& [key, s] : optimizer.state()) CHECK(static_cast<torch::optim::AdamWParamState&>(*s).step() == 30);
}

TEST_CASE("FusedAdamW's saved state resumes in torch::optim::AdamW and back", "[adamw]") {
  Params a = make_params(), b = clone(a);
  FusedAdamW first(a.groups(1e-2), torch::optim::AdamWOptions(1e-2));
  torch::optim::AdamW twin(b.groups(1e-2), torch::optim::AdamWOptions(1e-2));
  run_both(first, a, twin, b, 5);
  // Save the fused optimiser, load it into a plain AdamW over a copy of its weights, go on in both.
  std::stringstream saved;
  {
    torch::serialize::OutputArchive archive;
    first.save(archive);
    archive.save_to(saved);
  }
  Params c = clone(a);
  torch::optim::AdamW resumed(c.groups(1e-2), torch::optim::AdamWOptions(1e-2));
  {
    torch::serialize::InputArchive archive;
    archive.load_from(saved);
    resumed.load(archive);
  }
  run_both(first, a, resumed, c, 5);
  CHECK(max_abs_diff(a.matrix, c.matrix) < 1e-5);
  CHECK(max_abs_diff(a.vector, c.vector) < 1e-5);
}
