#include "runtime/nn/hf_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <toml++/toml.h>

#include "runtime/base/strings.h"

namespace sftx::rt {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw std::runtime_error(source + ": " + what);
}

int64_t as_int(const nlohmann::json& v, const std::string& source, const std::string& key) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())))
    return static_cast<int64_t>(v.get<double>());
  fail(source, "\"" + key + "\" must be an integer, got " + v.dump());
}

double as_double(const nlohmann::json& v, const std::string& source, const std::string& key) {
  if (v.is_number()) return v.get<double>();
  fail(source, "\"" + key + "\" must be a number, got " + v.dump());
}

bool as_bool(const nlohmann::json& v, const std::string& source, const std::string& key) {
  if (v.is_boolean()) return v.get<bool>();
  fail(source, "\"" + key + "\" must be true or false, got " + v.dump());
}

// Sets one field; false when the key is not a LlamaConfig field.
bool set_field(LlamaConfig& c, const std::string& key, const nlohmann::json& v, const std::string& source) {
  struct IntField { const char* name; int64_t LlamaConfig::*member; };
  static const IntField ints[] = {
      {"vocab_size", &LlamaConfig::vocab_size},
      {"hidden_size", &LlamaConfig::hidden_size},
      {"intermediate_size", &LlamaConfig::intermediate_size},
      {"num_hidden_layers", &LlamaConfig::num_hidden_layers},
      {"num_attention_heads", &LlamaConfig::num_attention_heads},
      {"num_key_value_heads", &LlamaConfig::num_key_value_heads},
      {"head_dim", &LlamaConfig::head_dim},
      {"max_position_embeddings", &LlamaConfig::max_position_embeddings},
      {"bos_token_id", &LlamaConfig::bos_token_id},
      {"eos_token_id", &LlamaConfig::eos_token_id},
  };
  for (const auto& f : ints)
    if (key == f.name) {
      c.*f.member = as_int(v, source, key);
      return true;
    }
  if (key == "rms_norm_eps") return c.rms_norm_eps = as_double(v, source, key), true;
  if (key == "rope_theta") return c.rope_theta = as_double(v, source, key), true;
  if (key == "initializer_range") return c.initializer_range = as_double(v, source, key), true;
  if (key == "tie_word_embeddings") return c.tie_word_embeddings = as_bool(v, source, key), true;
  return false;
}

nlohmann::json toml_to_json(const toml::node& node) {
  if (auto t = node.as_table()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : *t) j[std::string(k.str())] = toml_to_json(v);
    return j;
  }
  if (auto a = node.as_array()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : *a) j.push_back(toml_to_json(v));
    return j;
  }
  if (auto v = node.as_integer()) return v->get();
  if (auto v = node.as_floating_point()) return v->get();
  if (auto v = node.as_boolean()) return v->get();
  if (auto v = node.as_string()) return v->get();
  return nullptr;
}

}  // namespace

void apply_config_fields(LlamaConfig& config, const nlohmann::json& fields, const std::string& source) {
  if (!fields.is_object()) fail(source, "model fields must be an object, got " + fields.dump());
  for (const auto& [key, value] : fields.items())
    if (!set_field(config, key, value, source))
      fail(source, "unknown model field \"" + key +
                       "\" (known: vocab_size, hidden_size, intermediate_size, num_hidden_layers, "
                       "num_attention_heads, num_key_value_heads, head_dim, rms_norm_eps, rope_theta, "
                       "max_position_embeddings, tie_word_embeddings, bos_token_id, eos_token_id, "
                       "initializer_range)");
}

namespace {

// The architectures this model computes exactly, by config.json's model_type and class name.
struct KnownArchitecture {
  const char* model_type;
  const char* class_name;
};
constexpr KnownArchitecture kArchitectures[] = {
    {"llama", "LlamaForCausalLM"}, {"mistral", "MistralForCausalLM"}, {"qwen2", "Qwen2ForCausalLM"}};

std::string architecture_of(const nlohmann::json& j, const std::string& source) {
  const std::string type = j.contains("model_type") && j["model_type"].is_string() ? j["model_type"].get<std::string>() : "";
  for (const auto& a : kArchitectures)
    if (type == a.model_type) return a.model_type;
  if (type.empty() && j.contains("architectures") && j["architectures"].is_array())
    for (const auto& name : j["architectures"])
      for (const auto& a : kArchitectures)
        if (name == a.class_name) return a.model_type;
  fail(source, "model_type " + (type.empty() ? std::string("(absent)") : "\"" + type + "\"") +
                   " is not supported; sftx implements LlamaForCausalLM, MistralForCausalLM and Qwen2ForCausalLM "
                   "(model_type llama, mistral, qwen2)");
}

bool flag(const nlohmann::json& j, const char* key, const std::string& source) {
  return j.contains(key) && !j[key].is_null() && as_bool(j[key], source, key);
}

// RoPE: transformers 5 writes {"rope_parameters": {"rope_type": "default", "rope_theta": ...}},
// older versions "rope_theta" plus an optional "rope_scaling" object. Plain and "linear" RoPE are
// computed here; any other rope type (llama3, yarn, dynamic, ...) changes the frequencies in
// ways this model does not implement, so it is refused rather than silently computed as plain.
void read_rope(LlamaConfig& c, const nlohmann::json& j, const std::string& source) {
  for (const char* key : {"rope_scaling", "rope_parameters"}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    const nlohmann::json& r = j[key];
    if (!r.is_object()) fail(source, std::string("\"") + key + "\" must be an object, got " + r.dump());
    std::string type = "default";
    for (const char* type_key : {"rope_type", "type"})
      if (r.contains(type_key) && r[type_key].is_string()) type = r[type_key];
    if (type != "default" && type != "linear")
      fail(source, std::string("\"") + key + "\": rope_type \"" + type + "\" is not supported (sftx computes " +
                       "plain RoPE and \"linear\" scaling only): " + r.dump());
    if (r.contains("rope_theta") && !r["rope_theta"].is_null())
      c.rope_theta = as_double(r["rope_theta"], source, std::string(key) + ".rope_theta");
    if (type == "linear") {
      if (!r.contains("factor")) fail(source, std::string("\"") + key + "\": linear scaling without a \"factor\"");
      c.rope_scaling_factor = as_double(r["factor"], source, std::string(key) + ".factor");
    }
  }
}

// Attention restricted to a window of recent keys (Mistral's sliding_window, Qwen2's
// use_sliding_window / layer_types) is not implemented: accepted only where it cannot take
// effect (no window, or a window at least max_position_embeddings long).
void refuse_sliding_window(const LlamaConfig& c, const nlohmann::json& j, const std::string& source) {
  if (j.contains("layer_types") && j["layer_types"].is_array())
    for (const auto& t : j["layer_types"])
      if (t != "full_attention")
        fail(source, "layer_types contains " + t.dump() + "; sftx implements full attention only");
  // Qwen2 ignores sliding_window unless use_sliding_window is set.
  if (c.model_type == "qwen2" && !flag(j, "use_sliding_window", source)) return;
  if (j.contains("sliding_window") && !j["sliding_window"].is_null()) {
    const int64_t window = as_int(j["sliding_window"], source, "sliding_window");
    if (window < c.max_position_embeddings)
      fail(source, "sliding_window " + std::to_string(window) + " is not supported (sftx implements full attention; " +
                       "a window of at least max_position_embeddings = " + std::to_string(c.max_position_embeddings) +
                       " or null is accepted)");
  }
}

}  // namespace

LlamaConfig config_from_hf_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "config.json must be a JSON object");
  LlamaConfig c;
  c.model_type = architecture_of(j, source);
  if (flag(j, "mlp_bias", source)) fail(source, "mlp_bias true is not supported (SwiGLU projections have no bias)");
  if (j.contains("hidden_act") && j["hidden_act"] != "silu")
    fail(source, "hidden_act " + j["hidden_act"].dump() + " is not supported (SwiGLU uses silu)");

  for (const auto& [key, value] : j.items()) {
    if (value.is_null()) continue;  // HF writes null for "use the default" (head_dim, pad_token_id...)
    if (key == "eos_token_id" && value.is_array()) {  // Llama 3 lists several; the first is the end of turn
      if (!value.empty()) c.eos_token_id = as_int(value[0], source, key);
      continue;
    }
    set_field(c, key, value, source);  // HF configs carry many other keys; those are ignored
  }
  read_rope(c, j, source);
  // Biases: Qwen2's q/k/v projections always have one; Llama's attention_bias adds one to q, k, v
  // and o; Mistral's projections never do.
  if (c.model_type == "qwen2") c.attention_qkv_bias = true;
  if (flag(j, "attention_bias", source)) {
    if (c.model_type != "llama")
      fail(source, "attention_bias true is not part of " + c.model_type + "'s architecture (only llama's)");
    c.attention_qkv_bias = c.attention_out_bias = true;
  }
  // HF's default: num_key_value_heads = num_attention_heads when absent.
  if (!j.contains("num_key_value_heads") || j["num_key_value_heads"].is_null())
    c.num_key_value_heads = c.num_attention_heads;
  if (c.head_dim == c.hidden_size / c.num_attention_heads) c.head_dim = 0;
  refuse_sliding_window(c, j, source);
  try {
    c.validate();
  } catch (const std::exception& e) {
    fail(source, e.what());
  }
  return c;
}

LlamaConfig read_hf_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open Hugging Face config");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": invalid JSON: " + e.what());
  }
  return config_from_hf_json(j, path);
}

nlohmann::json config_to_hf_json(const LlamaConfig& c, const std::string& torch_dtype) {
  nlohmann::json j;
  const char* class_name = "LlamaForCausalLM";
  for (const auto& a : kArchitectures)
    if (c.model_type == a.model_type) class_name = a.class_name;
  j["architectures"] = {class_name};
  j["model_type"] = c.model_type;
  j["torch_dtype"] = torch_dtype;
  j["hidden_act"] = "silu";
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_hidden_layers;
  j["num_attention_heads"] = c.num_attention_heads;
  j["num_key_value_heads"] = c.num_key_value_heads;
  j["head_dim"] = c.resolved_head_dim();
  j["rms_norm_eps"] = c.rms_norm_eps;
  // Both spellings of RoPE: transformers 4 reads rope_theta + rope_scaling, 5 rope_parameters.
  j["rope_theta"] = c.rope_theta;
  j["rope_scaling"] = nullptr;
  j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", c.rope_theta}};
  if (c.rope_scaling_factor != 1.0) {
    j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", c.rope_scaling_factor}};
    j["rope_parameters"] = {{"rope_type", "linear"}, {"factor", c.rope_scaling_factor}, {"rope_theta", c.rope_theta}};
  }
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["bos_token_id"] = c.bos_token_id;
  j["eos_token_id"] = c.eos_token_id;
  j["initializer_range"] = c.initializer_range;
  j["attention_dropout"] = 0.0;
  j["use_cache"] = true;
  if (c.model_type == "llama") {
    j["attention_bias"] = c.attention_qkv_bias;
    j["mlp_bias"] = false;
    j["pretraining_tp"] = 1;
  } else if (c.model_type == "mistral") {
    j["sliding_window"] = nullptr;
  } else if (c.model_type == "qwen2") {
    j["use_sliding_window"] = false;
    j["sliding_window"] = nullptr;
  }
  return j;
}

std::string presets_dir() {
  if (const char* env = std::getenv("SFTX_PRESETS_DIR"); env && *env) return env;
  return std::string(SFTX_SOURCE_DIR) + "/stdlib/presets";
}

LlamaConfig load_preset(const std::string& name) {
  const fs::path path = fs::path(presets_dir()) / (name + ".toml");
  if (name.empty() || name.find('/') != std::string::npos || !fs::exists(path)) {
    std::vector<std::string> known;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(presets_dir(), ec))
      if (e.path().extension() == ".toml") known.push_back(e.path().stem().string());
    throw std::runtime_error("unknown model preset \"" + name + "\" (available in " + presets_dir() + ": " +
                             (known.empty() ? "none" : join_names(known)) + ")");
  }
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path.string() << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw std::runtime_error(msg.str());
  }
  LlamaConfig c;
  apply_config_fields(c, toml_to_json(table), path.string());
  try {
    c.validate();
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
  return c;
}

LlamaConfig resolve_model_spec(const ModelSpec& spec) {
  if (!spec.hf_dir.empty() && !spec.preset.empty())
    throw std::runtime_error("model: give a preset or a Hugging Face directory, not both (preset \"" + spec.preset +
                             "\", hf_dir " + spec.hf_dir + ")");
  LlamaConfig c;
  if (!spec.hf_dir.empty())
    c = read_hf_config((fs::path(spec.hf_dir) / "config.json").string());
  else if (!spec.preset.empty())
    c = load_preset(spec.preset);
  else
    throw std::runtime_error("model: neither a preset nor a Hugging Face directory given");
  if (!spec.overrides.is_null() && !spec.overrides.empty()) {
    apply_config_fields(c, spec.overrides, "model overrides");
    try {
      c.validate();
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("model overrides: ") + e.what());
    }
  }
  return c;
}

}  // namespace sftx::rt
