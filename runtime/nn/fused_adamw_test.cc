#include "runtime/nn/fused_adamw.h"

#include <catch2/catch.hpp>

#include <sstream>
#include <vector>

using namespace sftx::rt;

namespace {

// Parameters of the shapes a model has (a matrix, a vector, a large one the loop splits over
// threads) plus a float64 one that takes the op-by-op path.
std::vector<torch::Tensor> make_params() {
  torch::manual_seed(5);
  return {torch::randn({37, 19}), torch::randn({19}), torch::randn({300, 400}), torch::randn({7}, torch::kFloat64)};
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone().requires_grad_());
  return out;
}

// Two groups as the trainer makes them: matrices decay, vectors do not.
template <typename Optimizer>
Optimizer make(const std::vector<torch::Tensor>& p) {
  auto options = [](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(1e-2).betas({0.9, 0.999}).eps(1e-8).weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{p[0], p[2]}, options(0.1));
  groups.emplace_back(std::vector<torch::Tensor>{p[1], p[3]}, options(0.0));
  return Optimizer(groups, torch::optim::AdamWOptions(1e-2));
}

// Same gradients (a function of `seed`) into both parameter sets, then a step of each optimizer.
void step_both(std::vector<torch::Tensor>& a, torch::optim::Optimizer& oa, std::vector<torch::Tensor>& b,
               torch::optim::Optimizer& ob, double lr, int seed) {
  torch::manual_seed(100 + seed);
  for (size_t i = 0; i < a.size(); ++i) {
    const auto g = torch::randn_like(a[i]) * static_cast<double>(i + 1);
    a[i].mutable_grad() = g.clone();
    b[i].mutable_grad() = g.clone();
  }
  for (auto* o : {&oa, &ob})
    for (auto& group : o->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  oa.step();
  ob.step();
}

double max_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

}  // namespace

TEST_CASE("the fused AdamW step equals torch's AdamW", "[fused_adamw]") {
  const auto init = make_params();
  auto a = copies(init), b = copies(init);
  auto torch_adamw = make<torch::optim::AdamW>(a);
  auto fused = make<FusedAdamW>(b);
  for (int s = 0; s < 6; ++s) step_both(a, torch_adamw, b, fused, 1e-2 / (s + 1), s);  // a schedule changes lr
  CHECK(max_difference(a, b) < 1e-6);
  CHECK(max_difference(a, init) > 1e-3);  // the parameters did move
  // The moments agree too (they are what a checkpoint keeps).
  for (size_t i = 0; i < a.size(); ++i) {
    const auto key_a = c10::guts::to_string(a[i].unsafeGetTensorImpl()), key_b = c10::guts::to_string(b[i].unsafeGetTensorImpl());
    const auto& sa = static_cast<torch::optim::AdamWParamState&>(*torch_adamw.state().at(key_a));
    const auto& sb = static_cast<torch::optim::AdamWParamState&>(*fused.state().at(key_b));
    CHECK(sa.step() == sb.step());
    CHECK((sa.exp_avg() - sb.exp_avg()).abs().max().item<double>() < 1e-6);
    CHECK((sa.exp_avg_sq() - sb.exp_avg_sq()).abs().max().item<double>() < 1e-6);
  }
}

TEST_CASE("a fused AdamW checkpoint resumes in torch's AdamW and back", "[fused_adamw]") {
  const auto init = make_params();
  auto a = copies(init), b = copies(init);
  auto torch_adamw = make<torch::optim::AdamW>(a);
  auto fused = make<FusedAdamW>(b);
  for (int s = 0; s < 3; ++s) step_both(a, torch_adamw, b, fused, 1e-2, s);
  // Swap states through the serialised form train_state.cc writes.
  std::stringstream from_fused, from_torch;
  torch::save(fused, from_fused);
  torch::save(torch_adamw, from_torch);
  auto a2 = copies(b), b2 = copies(a);  // each side continues from the other's weights and state
  auto torch_resumed = make<torch::optim::AdamW>(a2);
  auto fused_resumed = make<FusedAdamW>(b2);
  torch::load(torch_resumed, from_fused);
  torch::load(fused_resumed, from_torch);
  for (int s = 3; s < 6; ++s) step_both(a2, torch_resumed, b2, fused_resumed, 1e-2, s);
  CHECK(max_difference(a2, b2) < 1e-6);
  // And both equal the uninterrupted run.
  for (int s = 3; s < 6; ++s) step_both(a, torch_adamw, b, fused, 1e-2, s);
  CHECK(max_difference(a, a2) < 1e-6);
}
