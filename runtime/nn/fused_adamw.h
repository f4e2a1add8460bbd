// torch::optim::AdamW with its per-parameter update done in one pass over memory.
//
// torch's AdamW::step runs eight tensor ops per parameter (decay, two for each moment, sqrt, div,
// add eps, addcdiv), each a full read and write of a parameter-sized tensor: about 25 floats of
// memory traffic per parameter element. This class does the same arithmetic, in the same order,
// in one loop per parameter (read p, g, m, v; write p, m, v: 7 floats), split over the intra-op
// threads. It is an AdamW: the same options, the same state (step, exp_avg, exp_avg_sq), so
// checkpoints written by either load into the other (train_state.cc saves and loads it as an
// Optimizer). Parameters it cannot take the fast path for (not CPU float32, not contiguous,
// amsgrad) get torch's own op sequence.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace sftx::rt {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace sftx::rt
