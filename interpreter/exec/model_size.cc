#include "interpreter/exec/model_size.h"

#include <filesystem>
#include <fstream>

#include <toml++/toml.h>

namespace sftx::exec {
namespace fs = std::filesystem;

int64_t llama_parameter_count(const nlohmann::json& c) {
  int64_t vocab = c.value("vocab_size", int64_t{32000});
  int64_t h = c.value("hidden_size", int64_t{4096});
  int64_t inter = c.value("intermediate_size", int64_t{11008});
  int64_t layers = c.value("num_hidden_layers", int64_t{32});
  int64_t heads = c.value("num_attention_heads", int64_t{32});
  int64_t kv = c.value("num_key_value_heads", heads);
  bool tied = c.value("tie_word_embeddings", false);
  int64_t head_dim = heads > 0 ? h / heads : h;
  int64_t per_layer = 2 * h * h + 2 * h * kv * head_dim + 3 * h * inter + 2 * h;
  return vocab * h * (tied ? 1 : 2) + layers * per_layer + h;
}

std::optional<int64_t> model_parameter_count(const nlohmann::json& model) {
  nlohmann::json config = nlohmann::json::object();
  try {
    if (model.contains("preset") && model["preset"].is_string()) {
      fs::path file = fs::path(SFTX_SOURCE_DIR) / "stdlib" / "presets" / (model["preset"].get<std::string>() + ".toml");
      toml::table t = toml::parse_file(file.string());
      for (const auto& [k, v] : t) {
        if (auto i = v.value<int64_t>(); i && v.is_integer()) config[std::string(k.str())] = *i;
        else if (auto b = v.value<bool>(); b && v.is_boolean()) config[std::string(k.str())] = *b;
      }
    } else if (model.contains("hf_dir") && model["hf_dir"].is_string()) {
      std::ifstream in(fs::path(model["hf_dir"].get<std::string>()) / "config.json");
      if (!in) return std::nullopt;
      config = nlohmann::json::parse(in);
    } else {
      return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (model.contains("overrides") && model["overrides"].is_object())
    for (const auto& [k, v] : model["overrides"].items())
      if (!(k == "vocab_size" && v.is_number() && v.get<int64_t>() <= 0)) config[k] = v;
  return llama_parameter_count(config);
}

}  // namespace sftx::exec
