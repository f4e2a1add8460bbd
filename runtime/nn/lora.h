// LoRA (Hu et al. 2021): on each chosen projection W [out, in], a trainable low-rank update
//   y = x W^T + (alpha / r) * dropout(x) A^T B^T,   A [r, in], B [out, r]
// with A initialised as PEFT does (kaiming_uniform_, a = sqrt(5)) and B at zero, so training
// starts from exactly the base model. The base weights are frozen. merge() folds the update into
// W (W += (alpha / r) B A) for export: the saved checkpoint is a plain Llama that HF loads
// without PEFT.
//
// The adapters hook into the model through Projection::adapter (runtime/nn/model.h) and are
// owned here, not registered in the model, so model.named_parameters() stays exactly HF's names.
// Adapter parameters are named like PEFT's: "model.layers.0.self_attn.q_proj.lora_A.weight".
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "runtime/nn/model.h"

namespace sftx::rt {

struct LoraOptions {
  int64_t r = 8;
  double alpha = 16;
  double dropout = 0.0;
  std::vector<std::string> targets = {"q_proj", "v_proj"};  // projection names (last name component)
};

class LoraAdapterImpl : public torch::nn::Module {
 public:
  LoraAdapterImpl(int64_t in_features, int64_t out_features, const LoraOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // the update term only

  torch::Tensor A, B;
  double scale, dropout;
};
TORCH_MODULE(LoraAdapter);

class LoraAdapters {
 public:
  // Attaches an adapter to every projection of `model` whose name ends in one of the targets
  // (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj; lm_head too if asked), and
  // freezes every model parameter. Throws std::invalid_argument for a target that matches no
  // projection (listing the valid names) or r < 1.
  LoraAdapters(Llama& model, const LoraOptions& options);
  ~LoraAdapters();  // detaches the adapters from the model

  // The trainable parameters, in a fixed order, with PEFT-style names.
  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() const;
  // Train/eval mode of the adapters (dropout).
  void train(bool on);
  // Moves the adapters to the model's device and dtype (call after moving the model).
  void to(torch::Device device, torch::ScalarType dtype);
  // W += scale * B A on every adapted projection, then detaches the adapters (the model computes
  // the same function as before, without them). The object is spent afterwards.
  void merge();
  // Writes the adapters as PEFT saves a LoRA adapter (adapter_config.json and
  // adapter_model.safetensors, tensors named "base_model.model.<projection>.lora_A.weight"), atomically
  // into `dir`: PeftModel.from_pretrained(base, dir).merge_and_unload() then computes what merge()
  // gives (scripts/peers/export_parity.py checks it). `base_model` goes into the config's
  // base_model_name_or_path.
  void save_peft(const std::string& dir, const std::string& base_model) const;

 private:
  struct Site {
    std::string name;  // "model.layers.0.self_attn.q_proj"
    Projection projection;
    LoraAdapter adapter;
  };
  std::vector<Site> sites_;
  LoraOptions options_;
  void detach();
};

}  // namespace sftx::rt
