#include "runtime/nn/fused_adamw.h"

#include <torch/version.h>

#include <stdexcept>

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
torch::Tensor FusedAdamW::step(LossClosure closure) { return torch::optim::AdamW::step(std::move(closure)); }
#endif

}  // namespace sftx::rt
