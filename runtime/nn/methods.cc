#include "runtime/nn/methods.h"

#include <stdexcept>

namespace sftx::rt {

int64_t TrainableSet::count() const {
  int64_t n = 0;
  for (const auto& p : params) n += p.second.numel();
  return n;
}

TrainableSet apply_method(Llama& model, const Method& method) {
  TrainableSet set;
  if (method.kind == "full") {
    for (auto& item : model->named_parameters()) {
      item.value().set_requires_grad(true);
      set.params.emplace_back(item.key(), item.value());
    }
  } else if (method.kind == "freeze") {
    const int64_t layers = model->config().num_hidden_layers;
    if (method.freeze_layers < 1 || method.freeze_layers > layers)
      throw std::invalid_argument("freeze(layers = " + std::to_string(method.freeze_layers) +
                                  "): the model has " + std::to_string(layers) +
                                  " decoder layers; train between 1 and " + std::to_string(layers) + " of them");
    const int64_t first_trained = layers - method.freeze_layers;
    for (auto& item : model->named_parameters()) {
      const std::string& name = item.key();
      bool trains = name == "model.norm.weight";
      for (int64_t l = first_trained; l < layers && !trains; ++l)
        trains = name.rfind("model.layers." + std::to_string(l) + ".", 0) == 0;
      item.value().set_requires_grad(trains);
      if (trains) set.params.emplace_back(name, item.value());
    }
  } else if (method.kind == "lora") {
    LoraOptions options;
    options.r = method.lora_r;
    options.alpha = method.lora_alpha;
    options.dropout = method.lora_dropout;
    options.targets = method.lora_targets;
    set.lora = std::make_unique<LoraAdapters>(model, options);
    set.params = set.lora->named_parameters();
  } else {
    throw std::invalid_argument("unknown method '" + method.kind + "' (expected full, lora or freeze)");
  }
  return set;
}

}  // namespace sftx::rt
