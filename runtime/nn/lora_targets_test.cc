// The checker refuses LoRA targets outside rt::projection_names() (runtime/projection_names.h);
// this keeps that list equal to the projections the model really has, so a target the checker
// accepts is one LoraAdapters finds, and the other way round.
// torch (through model.h) first: its glog defines CHECK, which Catch's must replace.
#include "runtime/nn/model.h"

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "runtime/projection_names.h"

using namespace sftx::rt;

TEST_CASE("projection_names() are exactly the model's projections", "[lora][projections]") {
  LlamaConfig c;
  c.vocab_size = 32;
  c.hidden_size = 16;
  c.intermediate_size = 24;
  c.num_hidden_layers = 1;
  c.num_attention_heads = 2;
  c.num_key_value_heads = 1;
  c.max_position_embeddings = 16;
  c.tie_word_embeddings = false;  // untied: lm_head is a projection of its own
  Llama model(c);
  std::set<std::string> leaves;
  for (const auto& item : model->named_modules())
    if (std::dynamic_pointer_cast<ProjectionImpl>(item.value())) {
      const std::string& name = item.key();
      leaves.insert(name.substr(name.rfind('.') + 1));
    }
  const auto& listed = projection_names();
  CHECK(leaves == std::set<std::string>(listed.begin(), listed.end()));
}
