// AdamW whose step runs LibTorch's fused kernel, at::_fused_adamw_ (one kernel over all of a
// parameter group's tensors instead of about ten small ops per tensor; CPU and CUDA kernels from
// LibTorch 2.4 on). The state (step, exp_avg, exp_avg_sq per parameter) is torch::optim::AdamW's
// own, so optimizer.pt files (runtime/nn/train_state.h) are the same either way: a state saved
// by FusedAdamW loads into torch::optim::AdamW and back (fused_adamw_test.cc).
//
// With LibTorch 1.13 there is no such kernel: step() is torch::optim::AdamW's, and fused() says so.
// The math is the same (decoupled weight decay, bias-corrected moments): fused_adamw_test.cc
// compares the two on the 2.x build.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace sftx::rt {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;

  // True when step() runs at::_fused_adamw_ (LibTorch >= 2.4).
  static bool fused();

  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace sftx::rt
