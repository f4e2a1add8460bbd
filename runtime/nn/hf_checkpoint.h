// Hugging Face checkpoint directories: config.json plus model.safetensors, or shards
// model-00001-of-0000N.safetensors listed in model.safetensors.index.json. What sftx writes
// loads in transformers.LlamaForCausalLM.from_pretrained and the other way round.
#pragma once

#include <torch/torch.h>

#include <string>

#include "runtime/nn/model.h"
#include "runtime/nn/safetensors.h"

namespace sftx::rt {

struct HfCheckpoint {
  LlamaConfig config;
  TensorMap tensors;        // as stored (dtype of the file)
  std::string torch_dtype;  // config.json's, "" when absent
};

// Reads config.json and every tensor (single file or sharded). Errors name the file.
HfCheckpoint read_hf_checkpoint(const std::string& dir);

// The model's parameters under HF names, detached (tied models have no lm_head.weight).
TensorMap model_state(Llama& model);

// Copies `tensors` into the model's parameters (casting to the model's dtype and device).
// Every parameter must be present with the right shape. Keys the model does not have throw,
// except lm_head.weight of a tied model and rotary inv_freq buffers, which HF files may carry.
void load_weights(Llama& model, const TensorMap& tensors, const std::string& source);

// A model built from a checkpoint directory, in `dtype` on `device` (HF's from_pretrained loads
// float32 unless told otherwise; so does this).
Llama load_hf(const std::string& dir, torch::Device device = torch::kCPU, torch::ScalarType dtype = torch::kFloat32);

struct SaveOptions {
  std::string torch_dtype = "float32";  // float32, bfloat16 or float16: the stored dtype
  int64_t max_shard_bytes = 0;           // > 0: split into shards of at most this many bytes
};

// Writes config.json and the tensors into a temporary sibling directory, then renames it onto
// `dir` (replacing a previous checkpoint there), so `dir` is either absent, the old checkpoint, or
// complete; never half-written.
void save_hf_tensors(const std::string& dir, const LlamaConfig& config, const TensorMap& tensors,
                     const SaveOptions& options = {});
void save_hf(const std::string& dir, Llama& model, const SaveOptions& options = {});

// "float32" -> kFloat32, "bfloat16" -> kBFloat16, "float16" -> kFloat16; throws otherwise.
torch::ScalarType dtype_from_hf_name(const std::string& name);

}  // namespace sftx::rt
