// AdamW whose per-parameter update does not run as about ten small tensor ops per parameter.
//   - LibTorch >= 2.4: LibTorch's fused kernel, at::_fused_adamw_ (one kernel over all of a
//     parameter group's tensors; CPU and CUDA), and fused() says so.
//   - LibTorch 1.13: the same arithmetic as torch::optim::AdamW::step, operation by operation in
//     float, in one loop per parameter split over the intra-op threads (read p, g, m, v; write
//     p, m, v: 7 floats of memory traffic per element where torch's eight ops move about 25).
//     Parameters it cannot take (not CPU float32, not contiguous, amsgrad) get torch's op sequence.
// Either way the options and the state (step, exp_avg, exp_avg_sq per parameter) are
// torch::optim::AdamW's own, so optimizer.pt files (runtime/nn/train_state.h) are the same: a state
// saved by FusedAdamW loads into torch::optim::AdamW and back (fused_adamw_test.cc).
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
