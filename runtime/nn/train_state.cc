#include "runtime/nn/train_state.h"

#include <ATen/Context.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "runtime/base/atomic_file.h"

namespace sftx::rt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<at::Generator> default_generators() {
  std::vector<at::Generator> gens{at::detail::getDefaultCPUGenerator()};
  if (torch::cuda::is_available()) {
    for (int64_t i = 0; i < static_cast<int64_t>(torch::cuda::device_count()); ++i)
      gens.push_back(at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i))));
  }
  return gens;
}

std::string differing_keys(const json& saved, const json& now) {
  std::string out;
  for (const auto& [k, v] : now.items()) {
    if (!saved.contains(k) || saved[k] != v)
      out += "\n  " + k + ": saved " + (saved.contains(k) ? saved[k].dump() : "(absent)") + ", now " + v.dump();
  }
  return out;
}

}  // namespace

void save_train_state(const std::string& dir, const TrainPosition& position, const TrainableSet& trainable,
                      torch::optim::Optimizer& optimizer) {
  AtomicDir out(dir);
  json meta = {{"step", position.step},
               {"epoch", position.epoch},
               {"index_in_epoch", position.index_in_epoch},
               {"last_loss", position.last_loss},
               {"fingerprint", position.fingerprint}};
  std::vector<torch::Tensor> params;
  json names = json::array();
  for (const auto& [name, t] : trainable.params) {
    params.push_back(t.detach().cpu());
    names.push_back(name);
  }
  meta["params"] = names;
  { std::ofstream(out.tmp() / "state.json") << meta.dump(2) << "\n"; }
  torch::save(params, (out.tmp() / "params.pt").string());
  torch::save(optimizer, (out.tmp() / "optimizer.pt").string());
  std::vector<torch::Tensor> rng;
  for (auto& g : default_generators()) {
    std::lock_guard<std::mutex> lock(g.mutex());
    rng.push_back(g.get_state());
  }
  torch::save(rng, (out.tmp() / "rng.pt").string());
  out.commit();
}

bool load_train_state(const std::string& dir, TrainPosition& position, TrainableSet& trainable,
                      torch::optim::Optimizer& optimizer) {
  if (!fs::exists(fs::path(dir) / "state.json")) return false;
  json meta;
  {
    std::ifstream in(fs::path(dir) / "state.json");
    std::stringstream ss;
    ss << in.rdbuf();
    meta = json::parse(ss.str(), nullptr, false);
    if (meta.is_discarded()) throw std::runtime_error(dir + "/state.json: not valid JSON");
  }
  if (meta.value("fingerprint", json::object()) != position.fingerprint) {
    throw std::runtime_error(dir + " was saved by a different training request; resuming would train something else." +
                             differing_keys(meta.value("fingerprint", json::object()), position.fingerprint) +
                             "\nDelete " + dir + " to start this stage from scratch.");
  }
  json names = json::array();
  for (const auto& p : trainable.params) names.push_back(p.first);
  if (meta.value("params", json::array()) != names)
    throw std::runtime_error(dir + ": the saved trainable parameters differ from this run's");

  std::vector<torch::Tensor> params;
  torch::load(params, (fs::path(dir) / "params.pt").string());
  if (params.size() != trainable.params.size()) throw std::runtime_error(dir + "/params.pt: wrong number of tensors");
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      auto& target = trainable.params[i].second;
      if (params[i].sizes() != target.sizes())
        throw std::runtime_error(dir + "/params.pt: " + trainable.params[i].first + " has the wrong shape");
      target.copy_(params[i]);
    }
  }
  torch::Device device = trainable.params.empty() ? torch::Device(torch::kCPU) : trainable.params[0].second.device();
  torch::load(optimizer, (fs::path(dir) / "optimizer.pt").string(), device);
  std::vector<torch::Tensor> rng;
  torch::load(rng, (fs::path(dir) / "rng.pt").string());
  auto gens = default_generators();
  for (size_t i = 0; i < gens.size() && i < rng.size(); ++i) {
    std::lock_guard<std::mutex> lock(gens[i].mutex());
    gens[i].set_state(rng[i]);
  }
  position.step = meta.at("step").get<int64_t>();
  position.epoch = meta.at("epoch").get<int64_t>();
  position.index_in_epoch = meta.at("index_in_epoch").get<int64_t>();
  position.last_loss = meta.value("last_loss", 0.0);
  return true;
}

}  // namespace sftx::rt
