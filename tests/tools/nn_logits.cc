// sftx-nn-logits: the sftx side of scripts/hf_parity.py (built with the torch side: tests/CMakeLists.txt).
//
//   sftx-nn-logits logits CHECKPOINT_DIR IDS_JSON OUT_BIN [cpu|cuda]
//       Loads a Hugging Face checkpoint with sftx's loader, runs the model in float32 on the ids
//       (IDS_JSON: [[id, ...], ...], equal lengths) and writes the logits as raw little-endian
//       float32 [B, T, vocab] to OUT_BIN; prints {"shape": [B, T, V]} on stdout.
//   sftx-nn-logits init CONFIG_JSON SEED OUT_DIR
//       Builds a randomly initialised sftx model from a Hugging Face config.json and saves it
//       with save_hf (the direction sftx -> transformers).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/nn/device.h"
#include "runtime/nn/hf_checkpoint.h"
#include "runtime/nn/hf_config.h"
#include "runtime/nn/model.h"

using namespace sftx::rt;

int main(int argc, char** argv) {
  try {
    const std::string verb = argc > 1 ? argv[1] : "";
    if (verb == "logits" && argc >= 5) {
      const auto kind = parse_device_kind(argc > 5 ? argv[5] : "cpu");
      if (!kind) throw std::invalid_argument("device must be " + device_kind_choices());
      const torch::Device device = to_torch_device(Device{*kind, 0});
      Llama model = load_hf(argv[2], device, torch::kFloat32);
      model->eval();
      std::ifstream in(argv[3]);
      const auto rows = nlohmann::json::parse(in).get<std::vector<std::vector<int64_t>>>();
      std::vector<int64_t> flat;
      for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
      const auto ids = torch::tensor(flat, torch::kInt64).view({static_cast<int64_t>(rows.size()), -1}).to(device);
      torch::NoGradGuard no_grad;
      const auto logits = model->forward(ids).to(torch::kCPU, torch::kFloat32).contiguous();
      std::ofstream out(argv[4], std::ios::binary);
      out.write(static_cast<const char*>(logits.data_ptr()), static_cast<std::streamsize>(logits.numel() * 4));
      std::cout << nlohmann::json{{"shape", logits.sizes().vec()}}.dump() << "\n";
      return out ? 0 : 1;
    }
    if (verb == "init" && argc >= 5) {
      const LlamaConfig config = read_hf_config(argv[2]);
      torch::manual_seed(std::stoull(argv[3]));
      Llama model(config);
      save_hf(argv[4], model);
      return 0;
    }
    std::cerr << "usage: sftx-nn-logits logits CHECKPOINT_DIR IDS_JSON OUT_BIN [cpu|cuda]\n"
                 "       sftx-nn-logits init CONFIG_JSON SEED OUT_DIR\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sftx-nn-logits: " << e.what() << "\n";
    return 3;
  }
}
