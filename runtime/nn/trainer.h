// The training loop behind rt::train (runtime/api.h), run inside sftx-worker.
//
// One stage: token shards in, out_dir/model (HF checkpoint), out_dir/metrics.jsonl and
// out_dir/state (for resume) out. What it does, in order (trainer.cc reads the same way):
//   1. data: every block of the shards, memory-mapped; a seeded order per epoch
//      (runtime/nn/token_batches.h); hp.batch blocks per optimiser step, in hp.grad_accum
//      micro-batches;
//   2. model: init_dir (the parent stage's checkpoint), else ModelSpec (hf_dir, or a preset
//      initialised from hp.seed);
//   3. method: full, lora or freeze (runtime/nn/methods.h);
//   4. AdamW, weight decay on matrices only (not on norms or biases), lr from the schedule
//      (runtime/nn/schedule.h), gradient clipping on the global norm;
//   5. resume from out_dir/state when a previous attempt left one (runtime/nn/train_state.h);
//   6. per step: causal-LM loss on the masked tokens, normalised by the loss tokens of the whole
//      optimiser step (so accumulation is exact), a NaN/Inf check, metrics, progress, periodic
//      state saves;
//   7. export: LoRA merged, the model saved in HF layout to out_dir/model.
// Device and precision: on CUDA bf16 autocast (fp32 master weights) unless dtype says fp32; on the
// CPU fp32, or bf16 autocast when dtype says bf16 and LibTorch is >= 2.4 (runtime/nn/autocast.h).
// AdamW steps with LibTorch 2.x's fused kernel where it has one (runtime/nn/fused_adamw.h).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/api.h"

namespace sftx::rt {

// What a train request may carry beyond runtime/api.h's TrainRequest (read by the worker from
// the request JSON's top-level keys of the same names).
struct TrainOptions {
  std::vector<std::string> val_shards;  // validation blocks; none = no val_loss
  int64_t eval_every = 0;               // steps between validations; 0 = every save_every steps
  int64_t val_max_blocks = 256;         // cap on validation blocks per evaluation (first N of the shards)
};

// A stage that stopped on purpose (NaN/Inf loss): the message says where and which state is kept.
struct TrainingDiverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs the stage in this process (the worker calls it). Throws TrainingDiverged on a NaN/Inf loss,
// std::invalid_argument / std::runtime_error for bad requests or data, naming what is wrong.
TrainResult run_training(const TrainRequest& request, const TrainOptions& options = {});

}  // namespace sftx::rt
