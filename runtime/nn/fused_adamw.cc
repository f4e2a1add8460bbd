#include "runtime/nn/fused_adamw.h"

#include <ATen/Parallel.h>
#include <ATen/TensorIterator.h>
#include <torch/version.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define SFTX_FUSED_ADAMW 1
#else
#define SFTX_FUSED_ADAMW 0
#endif

namespace sftx::rt {

bool FusedAdamW::fused() { return SFTX_FUSED_ADAMW; }

#if SFTX_FUSED_ADAMW
torch::Tensor FusedAdamW::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (options.amsgrad()) throw std::invalid_argument("FusedAdamW: amsgrad is not supported");
    // The kernel takes tensors grouped by device and dtype; every group here is on one device in
    // one dtype (the trainer's), which the kernel checks.
    std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs, steps;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (p.grad().is_sparse()) throw std::invalid_argument("FusedAdamW: sparse gradients are not supported");
      // Keyed as AdamW::step keys it: by the parameter's TensorImpl (a void* from LibTorch 2).
      void* key = p.unsafeGetTensorImpl();
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<torch::optim::AdamWParamState&>(*it->second);
      // As torch.optim's fused path: the step count is incremented before the kernel reads it,
      // as a float32 tensor on the parameter's device.
      state.step(state.step() + 1);
      params.push_back(p);
      grads.push_back(p.grad());
      exp_avgs.push_back(state.exp_avg());
      exp_avg_sqs.push_back(state.exp_avg_sq());
      steps.push_back(torch::full({}, static_cast<double>(state.step()),
                                  torch::TensorOptions().dtype(torch::kFloat32).device(p.device())));
    }
    if (params.empty()) continue;
    const auto [beta1, beta2] = options.betas();
    at::_fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, /*max_exp_avg_sqs=*/{}, steps, options.lr(), beta1, beta2,
                      options.weight_decay(), options.eps(), /*amsgrad=*/false, /*maximize=*/false,
                      /*grad_scale=*/{}, /*found_inf=*/{});
  }
  return loss;
}
#else
// LibTorch 1.13 has no fused kernel: the same arithmetic as torch::optim::AdamW::step of 1.13,
// operation by operation in float, in one pass over each parameter's memory (read p, g, m, v;
// write p, m, v: 7 floats per element where torch's eight ops move about 25).
namespace {

using torch::optim::AdamWOptions;
using torch::optim::AdamWParamState;

// The constants of one parameter's update, rounded to float as torch's kernels round a double
// scalar for a float tensor.
struct Coefficients {
  float decay, beta1, one_minus_beta1, beta2, one_minus_beta2, sqrt_bc2, eps, minus_step_size;
};

void fused_update(float* p, const float* g, float* m, float* v, int64_t n, const Coefficients& c) {
  at::parallel_for(0, n, at::internal::GRAIN_SIZE, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float grad = g[i];
      const float param = p[i] * c.decay;                                // p.mul_(1 - lr * wd)
      const float avg = m[i] * c.beta1 + c.one_minus_beta1 * grad;       // exp_avg.mul_(b1).add_(g, 1 - b1)
      const float avg_sq = v[i] * c.beta2 + c.one_minus_beta2 * grad * grad;  // .mul_(b2).addcmul_(g, g, 1 - b2)
      const float denom = std::sqrt(avg_sq) / c.sqrt_bc2 + c.eps;        // (sqrt(v) / sqrt(bc2)).add_(eps)
      p[i] = param + c.minus_step_size * avg / denom;                    // p.addcdiv_(m, denom, -step_size)
      m[i] = avg;
      v[i] = avg_sq;
    }
  });
}

bool fusable(const torch::Tensor& p, const torch::Tensor& g, const AdamWParamState& s, const AdamWOptions& o) {
  auto plain = [&](const torch::Tensor& t) {
    return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous() && t.sizes() == p.sizes();
  };
  return !o.amsgrad() && plain(p) && plain(g) && plain(s.exp_avg()) && plain(s.exp_avg_sq());
}

}  // namespace

torch::Tensor FusedAdamW::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    auto& options = static_cast<AdamWOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "AdamW does not support sparse gradients");
      // State keyed as torch's AdamW keys it, so save/load (inherited) see the same state.
      const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto found = state_.find(key);
      if (found == state_.end()) {
        auto fresh = std::make_unique<AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        if (options.amsgrad()) fresh->max_exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        found = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<AdamWParamState&>(*found->second);
      state.step(state.step() + 1);
      const double lr = options.lr(), wd = options.weight_decay(), eps = options.eps();
      const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
      const double bias_correction1 = 1 - std::pow(beta1, state.step());
      const double bias_correction2 = 1 - std::pow(beta2, state.step());
      const double step_size = lr / bias_correction1;
      if (fusable(p, grad, state, options)) {
        const Coefficients c{static_cast<float>(wd != 0 ? 1 - lr * wd : 1.0), static_cast<float>(beta1),
                             static_cast<float>(1 - beta1),  static_cast<float>(beta2),
                             static_cast<float>(1 - beta2),  static_cast<float>(std::sqrt(bias_correction2)),
                             static_cast<float>(eps),        static_cast<float>(-step_size)};
        fused_update(p.data_ptr<float>(), grad.data_ptr<float>(), state.exp_avg().data_ptr<float>(),
                     state.exp_avg_sq().data_ptr<float>(), p.numel(), c);
        continue;
      }
      // torch's op sequence, for the parameters the loop does not take.
      if (wd != 0) p.mul_(1 - lr * wd);
      state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
      state.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      torch::Tensor denom;
      if (options.amsgrad()) {
        torch::max_out(state.max_exp_avg_sq(), state.exp_avg_sq(), state.max_exp_avg_sq());
        denom = (state.max_exp_avg_sq().sqrt() / std::sqrt(bias_correction2)).add_(eps);
      } else {
        denom = (state.exp_avg_sq().sqrt() / std::sqrt(bias_correction2)).add_(eps);
      }
      p.addcdiv_(state.exp_avg(), denom, -step_size);
    }
  }
  return loss;
}

#endif

}  // namespace sftx::rt
