// Where a LlamaConfig comes from: a preset (stdlib/presets/NAME.toml), a Hugging Face
// config.json, and the overrides a ModelSpec carries (e.g. vocab_size from the tokenizer).
// Torch-free apart from LlamaConfig living in model.h.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/nn/model.h"

namespace sftx::rt {

// Reads the fields of a Hugging Face config.json object; absent fields keep HF's defaults
// (LlamaConfig's). Accepts model_type llama, mistral and qwen2 (or, without a model_type, the
// class names LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM), RoPE as rope_theta +
// rope_scaling (transformers 4) or rope_parameters (transformers 5). What this model does not
// compute is refused, never approximated: another model_type, a rope_type other than default
// and linear, a sliding window that can take effect, mlp_bias, a hidden_act other than silu;
// the std::runtime_error names `source` and the field.
LlamaConfig config_from_hf_json(const nlohmann::json& j, const std::string& source);
LlamaConfig read_hf_config(const std::string& config_json_path);

// HF's keys: architectures (the class of config.model_type), model_type, torch_dtype ("float32",
// "bfloat16", "float16"), hidden_act "silu", the LlamaConfig fields, RoPE in both spellings, and
// the bias / sliding-window keys of that class.
nlohmann::json config_to_hf_json(const LlamaConfig& config, const std::string& torch_dtype);

// Sets the named fields (LlamaConfig's field names, HF's spelling) from a JSON object; an unknown
// name or a wrong type throws std::runtime_error naming `source` and the key.
void apply_config_fields(LlamaConfig& config, const nlohmann::json& fields, const std::string& source);

// The folder of preset TOML files: $SFTX_PRESETS_DIR if set, else the source tree's stdlib/presets.
std::string presets_dir();
// Reads presets_dir()/NAME.toml (keys as in apply_config_fields). Unknown preset: the error lists
// the available ones. TOML syntax errors carry file:line:column.
LlamaConfig load_preset(const std::string& name);

// ModelSpec -> config: hf_dir's config.json or the preset, then the overrides; validated.
LlamaConfig resolve_model_spec(const ModelSpec& spec);

}  // namespace sftx::rt
