// Parameter count of a train node's model, for `sftx plan`'s work estimate (FLOPs ≈ 6·N·tokens).
// Reads the preset TOML (stdlib/presets/NAME.toml) or an HF config.json — the same LLaMA
// fields the runtime builds the model from — without loading torch.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace sftx::exec {

// LLaMA decoder: embeddings (once when tied), per layer q/o, k/v (grouped), MLP, two norms;
// a final norm. `config` uses HF LlamaConfig names.
int64_t llama_parameter_count(const nlohmann::json& config);

// model params of a train node: {preset | hf_dir, overrides}. nullopt when the preset or
// config cannot be read.
std::optional<int64_t> model_parameter_count(const nlohmann::json& model);

}  // namespace sftx::exec
