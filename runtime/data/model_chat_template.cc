// ChatTemplate::from_model_dir: the chat template a Hugging Face checkpoint ships, found where
// transformers looks for it.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "runtime/base/json_depth.h"
#include "runtime/data/chat_template.h"
#include "runtime/data/jinja/template.h"

namespace sftx::rt {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A special token as tokenizer_config.json writes it: a string, or an AddedToken object with
// "content"; null or absent is no token.
std::optional<std::string> token_of(const nlohmann::json& cfg, const char* key, const fs::path& file) {
  if (!cfg.contains(key) || cfg[key].is_null()) return std::nullopt;
  const nlohmann::json& v = cfg[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  throw std::runtime_error(file.string() + ": " + key + " is neither a string nor an object with \"content\"");
}

}  // namespace

ChatTemplate ChatTemplate::from_model_dir(const std::string& dir) {
  const fs::path config_path = fs::path(dir) / "tokenizer_config.json";
  const fs::path jinja_path = fs::path(dir) / "chat_template.jinja";
  nlohmann::json cfg = nlohmann::json::object();
  if (fs::exists(config_path)) {
    const std::string text = read_text(config_path);
    if (json_nests_deeper_than(text))
      throw std::runtime_error(config_path.string() + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    try {
      cfg = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(config_path.string() + ": invalid JSON: " + e.what());
    }
    if (!cfg.is_object()) throw std::runtime_error(config_path.string() + ": expected a JSON object");
  }
  std::string source, origin;
  if (fs::exists(jinja_path)) {
    source = read_text(jinja_path);
    origin = jinja_path.string();
  } else if (cfg.contains("chat_template")) {
    const nlohmann::json& t = cfg["chat_template"];
    origin = config_path.string() + " chat_template";
    if (t.is_string()) {
      source = t.get<std::string>();
    } else if (t.is_array()) {
      // [{"name": "default", "template": ...}, {"name": "tool_use", ...}]: the default one, as
      // transformers picks when no template name is asked for.
      std::string names;
      for (const auto& entry : t) {
        if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("template") ||
            !entry["template"].is_string())
          throw std::runtime_error(config_path.string() +
                                   ": chat_template list entries must be {\"name\": ..., \"template\": ...}");
        names += (names.empty() ? "" : ", ") + entry["name"].get<std::string>();
        if (entry["name"] == "default") source = entry["template"].get<std::string>();
      }
      if (source.empty())
        throw std::runtime_error(config_path.string() + ": chat_template has no template named \"default\" (it has: " +
                                 names + ")");
      origin += "[default]";
    } else {
      throw std::runtime_error(config_path.string() + ": chat_template is neither a string nor a list of named templates");
    }
  } else {
    throw std::runtime_error(dir + ": no chat template (neither chat_template.jinja nor a chat_template in "
                                   "tokenizer_config.json); choose a built-in template (vicuna, llama2, chatml, alpaca)");
  }
  try {
    return from_jinja(source, token_of(cfg, "bos_token", config_path), token_of(cfg, "eos_token", config_path), origin);
  } catch (const jinja::TemplateError& e) {
    throw std::runtime_error(e.what());
  }
}

}  // namespace sftx::rt
