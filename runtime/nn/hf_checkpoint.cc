#include "runtime/nn/hf_checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "runtime/base/atomic_file.h"
#include "runtime/nn/hf_config.h"

namespace sftx::rt {

namespace {

namespace fs = std::filesystem;

const char* kIndexName = "model.safetensors.index.json";
const char* kSingleName = "model.safetensors";

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw std::runtime_error(p.string() + ": write failed");
}

// Names of the shard files in a sharded checkpoint, in index order.
std::vector<std::string> shard_files(const fs::path& index_path) {
  std::ifstream in(index_path);
  if (!in) throw std::runtime_error(index_path.string() + ": cannot open");
  nlohmann::json index;
  try {
    in >> index;
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(index_path.string() + ": invalid JSON: " + e.what());
  }
  if (!index.contains("weight_map") || !index["weight_map"].is_object())
    throw std::runtime_error(index_path.string() + ": no \"weight_map\" object");
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (const auto& [name, file] : index["weight_map"].items()) {
    if (!file.is_string()) throw std::runtime_error(index_path.string() + ": weight_map[\"" + name + "\"] is not a file name");
    const auto f = file.get<std::string>();
    if (f.find('/') != std::string::npos || f == "..")
      throw std::runtime_error(index_path.string() + ": shard name \"" + f + "\" must be a plain file name");
    if (seen.insert(f).second) files.push_back(f);
  }
  return files;
}

}  // namespace

torch::ScalarType dtype_from_hf_name(const std::string& name) {
  if (name == "float32") return torch::kFloat32;
  if (name == "bfloat16") return torch::kBFloat16;
  if (name == "float16") return torch::kFloat16;
  throw std::invalid_argument("unsupported checkpoint dtype \"" + name + "\" (float32, bfloat16, float16)");
}

HfCheckpoint read_hf_checkpoint(const std::string& dir) {
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw std::runtime_error(dir + ": not a checkpoint directory");
  HfCheckpoint ck;
  const fs::path config_path = root / "config.json";
  ck.config = read_hf_config(config_path.string());
  {
    std::ifstream in(config_path);
    nlohmann::json j;
    in >> j;
    if (j.contains("torch_dtype") && j["torch_dtype"].is_string()) ck.torch_dtype = j["torch_dtype"];
  }
  if (fs::exists(root / kIndexName)) {
    for (const auto& file : shard_files(root / kIndexName)) {
      auto part = read_safetensors((root / file).string());
      for (auto& [name, t] : part)
        if (!ck.tensors.emplace(name, std::move(t)).second)
          throw std::runtime_error((root / file).string() + ": tensor \"" + name + "\" also appears in another shard");
    }
  } else if (fs::exists(root / kSingleName)) {
    ck.tensors = read_safetensors((root / kSingleName).string());
  } else {
    throw std::runtime_error(dir + ": no " + kSingleName + " or " + kIndexName +
                             " (only safetensors checkpoints are supported, not pytorch_model.bin)");
  }
  return ck;
}

TensorMap model_state(Llama& model) {
  TensorMap out;
  for (const auto& p : model->named_parameters()) out.emplace(p.key(), p.value().detach());
  return out;
}

void load_weights(Llama& model, const TensorMap& tensors, const std::string& source) {
  auto params = model->named_parameters();
  for (const auto& [name, t] : tensors) {
    if (params.contains(name)) continue;
    const bool ignorable = (name == "lm_head.weight" && model->config().tie_word_embeddings) ||
                           name.find("rotary_emb.inv_freq") != std::string::npos;
    if (!ignorable) throw std::runtime_error(source + ": tensor \"" + name + "\" is not a parameter of this model");
  }
  torch::NoGradGuard no_grad;
  for (auto& p : params) {
    auto it = tensors.find(p.key());
    if (it == tensors.end()) throw std::runtime_error(source + ": missing tensor \"" + p.key() + "\"");
    if (it->second.sizes() != p.value().sizes()) {
      std::ostringstream msg;
      msg << source << ": tensor \"" << p.key() << "\" has shape " << it->second.sizes() << ", the model expects "
          << p.value().sizes();
      throw std::runtime_error(msg.str());
    }
    p.value().copy_(it->second);
  }
}

Llama load_hf(const std::string& dir, torch::Device device, torch::ScalarType dtype) {
  HfCheckpoint ck = read_hf_checkpoint(dir);
  Llama model(ck.config);  // its random initialisation is overwritten below
  model->to(device, dtype);
  load_weights(model, ck.tensors, dir);
  return model;
}

void save_hf_tensors(const std::string& dir, const LlamaConfig& config, const TensorMap& tensors,
                     const SaveOptions& options) {
  const torch::ScalarType dtype = dtype_from_hf_name(options.torch_dtype);
  AtomicDir out(fs::absolute(fs::path(dir)).lexically_normal());
  const fs::path& tmp = out.tmp();
  TensorMap cast;
  for (const auto& [name, t] : tensors) cast.emplace(name, t.detach().to(torch::kCPU, dtype).contiguous());

  write_text(tmp / "config.json", config_to_hf_json(config, options.torch_dtype).dump(2) + "\n");
  write_text(tmp / "generation_config.json",
             nlohmann::json{{"bos_token_id", config.bos_token_id}, {"eos_token_id", config.eos_token_id}}.dump(2) + "\n");

  // Group tensors into shards in name order, each at most max_shard_bytes (a single tensor
  // larger than that gets a shard of its own).
  std::vector<TensorMap> shards(1);
  int64_t shard_bytes = 0, total_bytes = 0;
  for (const auto& [name, t] : cast) {
    const int64_t bytes = t.numel() * static_cast<int64_t>(t.element_size());
    if (options.max_shard_bytes > 0 && shard_bytes > 0 && shard_bytes + bytes > options.max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().emplace(name, t);
    shard_bytes += bytes;
    total_bytes += bytes;
  }
  if (shards.size() == 1) {
    write_safetensors((tmp / kSingleName).string(), shards[0]);
  } else {
    nlohmann::json weight_map = nlohmann::json::object();
    for (size_t i = 0; i < shards.size(); ++i) {
      char file[64];
      std::snprintf(file, sizeof file, "model-%05zu-of-%05zu.safetensors", i + 1, shards.size());
      write_safetensors((tmp / file).string(), shards[i]);
      for (const auto& entry : shards[i]) weight_map[entry.first] = file;
    }
    nlohmann::json index = {{"metadata", {{"total_size", total_bytes}}}, {"weight_map", weight_map}};
    write_text(tmp / kIndexName, index.dump(2) + "\n");
  }
  out.commit();  // fsyncs every file, then swaps the directory in whole
}

void save_hf(const std::string& dir, Llama& model, const SaveOptions& options) {
  save_hf_tensors(dir, model->config(), model_state(model), options);
}

}  // namespace sftx::rt
