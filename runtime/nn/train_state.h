// Trainer state for exact resume: out_dir/state/ holds
//   state.json     step, data position (epoch, index into that epoch's permutation), last loss,
//                  and a fingerprint of everything that fixes the run (hyperparameters, method,
//                  number of blocks, trainable parameter names)
//   params.pt      the trainable tensors (full: every weight; freeze: the top layers; lora: the
//                  adapters) — frozen ones are rebuilt from the run's initial weights, which are
//                  deterministic (init_dir, or preset init from the seed)
//   optimizer.pt   AdamW's state (moments and step counts per parameter)
//   rng.pt         torch's default CPU generator state, and each CUDA device's when present
// The directory is written atomically (runtime/base/atomic_file.h): a SIGKILL during a save leaves
// the previous state intact. The learning-rate schedule needs no state: it is a function of the step.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/nn/methods.h"

namespace sftx::rt {

struct TrainPosition {
  int64_t step = 0;            // optimiser steps completed
  int64_t epoch = 0;           // epoch of the next step
  int64_t index_in_epoch = 0;  // position of the next step's first block in the epoch's permutation
  double last_loss = 0;
  nlohmann::json fingerprint = nlohmann::json::object();
};

void save_train_state(const std::string& dir, const TrainPosition& position, const TrainableSet& trainable,
                      torch::optim::Optimizer& optimizer);

// Returns false when `dir` does not exist. Restores the trainable tensors in place (same tensors:
// the optimiser keeps pointing at them), the optimiser and the RNG states. Throws
// std::runtime_error when the saved fingerprint differs from position.fingerprint (the request
// changed: resuming would silently train something else), naming the differing keys.
bool load_train_state(const std::string& dir, TrainPosition& position, TrainableSet& trainable,
                      torch::optim::Optimizer& optimizer);

}  // namespace sftx::rt
