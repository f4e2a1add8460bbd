#include "runtime/nn/lora.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "runtime/base/atomic_file.h"
#include "runtime/nn/safetensors.h"

namespace sftx::rt {

LoraAdapterImpl::LoraAdapterImpl(int64_t in_features, int64_t out_features, const LoraOptions& options)
    : scale(options.alpha / static_cast<double>(options.r)), dropout(options.dropout) {
  A = register_parameter("A", torch::empty({options.r, in_features}));
  B = register_parameter("B", torch::zeros({out_features, options.r}));
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_uniform_(A, std::sqrt(5.0));  // PEFT's (and nn.Linear's) init
}

torch::Tensor LoraAdapterImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = dropout > 0 ? torch::dropout(x, dropout, is_training()) : x;
  return torch::matmul(torch::matmul(h, A.t()), B.t()) * scale;
}

LoraAdapters::LoraAdapters(Llama& model, const LoraOptions& options) : options_(options) {
  if (options.r < 1) throw std::invalid_argument("lora: r must be >= 1, got " + std::to_string(options.r));
  if (!(options.dropout >= 0 && options.dropout < 1))
    throw std::invalid_argument("lora: dropout must be in [0, 1), got " + std::to_string(options.dropout));
  if (options.targets.empty()) throw std::invalid_argument("lora: no target projections given");
  for (auto& p : model->parameters()) p.set_requires_grad(false);

  std::set<std::string> wanted(options.targets.begin(), options.targets.end()), seen, available;
  for (const auto& item : model->named_modules()) {
    auto projection = std::dynamic_pointer_cast<ProjectionImpl>(item.value());
    if (!projection) continue;
    const std::string& name = item.key();
    std::string leaf = name.substr(name.rfind('.') + 1);
    available.insert(leaf);
    if (!wanted.count(leaf)) continue;
    seen.insert(leaf);
    LoraAdapter adapter(projection->weight.size(1), projection->weight.size(0), options);
    adapter->to(projection->weight.device(), projection->weight.scalar_type());
    projection->adapter = [adapter](const torch::Tensor& x) mutable { return adapter->forward(x); };
    sites_.push_back({name, Projection(projection), adapter});
  }
  for (const auto& t : wanted) {
    if (!seen.count(t)) {
      std::string names;
      for (const auto& a : available) names += (names.empty() ? "" : ", ") + a;
      throw std::invalid_argument("lora: target '" + t + "' matches no projection of the model (it has: " + names + ")");
    }
  }
}

LoraAdapters::~LoraAdapters() { detach(); }

void LoraAdapters::detach() {
  for (auto& s : sites_) s.projection->adapter = nullptr;
}

std::vector<std::pair<std::string, torch::Tensor>> LoraAdapters::named_parameters() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& s : sites_) {
    out.emplace_back(s.name + ".lora_A.weight", s.adapter->A);
    out.emplace_back(s.name + ".lora_B.weight", s.adapter->B);
  }
  return out;
}

void LoraAdapters::train(bool on) {
  for (auto& s : sites_) s.adapter->train(on);
}

void LoraAdapters::to(torch::Device device, torch::ScalarType dtype) {
  for (auto& s : sites_) s.adapter->to(device, dtype);
}

void LoraAdapters::merge() {
  torch::NoGradGuard no_grad;
  for (auto& s : sites_) {
    torch::Tensor& W = s.projection->weight;
    // In float32 whatever the weights' dtype, then one rounding into W.
    torch::Tensor delta = torch::matmul(s.adapter->B.to(torch::kFloat32), s.adapter->A.to(torch::kFloat32)) * s.adapter->scale;
    W.copy_((W.to(torch::kFloat32) + delta).to(W.scalar_type()));
  }
  detach();
  sites_.clear();
}

void LoraAdapters::save_peft(const std::string& dir, const std::string& base_model) const {
  namespace fs = std::filesystem;
  AtomicDir out(fs::absolute(fs::path(dir)).lexically_normal());
  TensorMap tensors;
  for (const auto& [name, t] : named_parameters())
    tensors.emplace("base_model.model." + name, t.detach().to(torch::kCPU, torch::kFloat32).contiguous());
  write_safetensors((out.tmp() / "adapter_model.safetensors").string(), tensors);
  // PEFT's LoraConfig fields; scaling = lora_alpha / r as here (use_rslora false).
  const nlohmann::json config = {{"peft_type", "LORA"},
                                 {"task_type", "CAUSAL_LM"},
                                 {"base_model_name_or_path", base_model},
                                 {"r", options_.r},
                                 {"lora_alpha", options_.alpha},
                                 {"lora_dropout", options_.dropout},
                                 {"target_modules", options_.targets},
                                 {"bias", "none"},
                                 {"fan_in_fan_out", false},
                                 {"inference_mode", true},
                                 {"init_lora_weights", true},
                                 {"use_rslora", false},
                                 {"use_dora", false},
                                 {"modules_to_save", nullptr}};
  std::ofstream f(out.tmp() / "adapter_config.json");
  f << config.dump(2) << "\n";
  f.flush();
  if (!f) throw std::runtime_error(dir + "/adapter_config.json: write failed");
  f.close();
  out.commit();
}

}  // namespace sftx::rt
