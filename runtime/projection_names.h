// The linear projections of every architecture the model implements (llama, mistral and
// qwen2: runtime/nn/model.cc), by their Hugging Face names: what lora(targets = [...]) can
// adapt. The checker refuses a target outside this list before anything runs;
// runtime/nn/lora_targets_test.cc keeps the list equal to the model's. Torch-free, so the
// driver (which never links torch) can include it, like runtime/api.h.
#pragma once

#include <string>
#include <vector>

namespace sftx::rt {

// lm_head is a projection too, but only in a model that does not tie it to the embedding
// (tie_word_embeddings = false); a tied model's lm_head target is refused by the worker.
inline const std::vector<std::string>& projection_names() {
  static const std::vector<std::string> names = {"q_proj",  "k_proj",    "v_proj", "o_proj",
                                                 "gate_proj", "up_proj", "down_proj", "lm_head"};
  return names;
}

}  // namespace sftx::rt
