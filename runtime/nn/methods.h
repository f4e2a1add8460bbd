// Fine-tuning methods: which parameters a stage trains.
//   full          every parameter of the model.
//   lora(...)     only LoRA adapters on the chosen projections; the base is frozen
//                 (runtime/nn/lora.h); merged into the base weights on export.
//   freeze(N)     partial fine-tuning: only the top N decoder layers and the final RMSNorm
//                 (model.norm, which reads the top layer's output) train. Embeddings and the LM
//                 head stay frozen: with tied embeddings (nano, mini) the LM head *is* the input
//                 embedding, so training it would change the bottom of the network too; keeping
//                 both frozen makes freeze(N) the same partial fine-tuning for tied and untied
//                 models.
// Frozen parameters get requires_grad = false, so they receive no gradient, no optimiser state
// and no weight decay: they stay bit-identical.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/api.h"
#include "runtime/nn/lora.h"
#include "runtime/nn/model.h"

namespace sftx::rt {

struct TrainableSet {
  std::vector<std::pair<std::string, torch::Tensor>> params;  // named, fixed order
  std::unique_ptr<LoraAdapters> lora;                          // set for lora
  int64_t count() const;                                       // number of trainable scalars
};

// Applies `method` to `model` (freezing what it does not train). Throws std::invalid_argument
// for a method the model cannot take (freeze layers out of range, unknown lora target, ...).
TrainableSet apply_method(Llama& model, const Method& method);

}  // namespace sftx::rt
