#include "interpreter/exec/model_size.h"

#include <catch2/catch.hpp>

using namespace sftx::exec;

TEST_CASE("the nano preset has the parameter count its TOML documents", "[exec][model_size]") {
  // stdlib/presets/nano.toml: total 982,144 with vocab 2000, tied embeddings.
  auto n = model_parameter_count({{"preset", "nano"}, {"overrides", nlohmann::json::object()}});
  REQUIRE(n.has_value());
  CHECK(*n == 982144);
  // A smaller vocabulary (a test tokenizer) shrinks only the embeddings.
  auto small = model_parameter_count({{"preset", "nano"}, {"overrides", {{"vocab_size", 300}}}});
  REQUIRE(small.has_value());
  CHECK(*small == 982144 - (2000 - 300) * 128);
  CHECK_FALSE(model_parameter_count({{"preset", "no-such-preset"}}).has_value());
}

TEST_CASE("untied embeddings count twice", "[exec][model_size]") {
  nlohmann::json c = {{"vocab_size", 10}, {"hidden_size", 4}, {"intermediate_size", 8}, {"num_hidden_layers", 1},
                      {"num_attention_heads", 2}, {"num_key_value_heads", 1}, {"tie_word_embeddings", false}};
  // 2*10*4 + (2*16 + 2*4*1*2 + 3*4*8 + 8) + 4
  CHECK(llama_parameter_count(c) == 80 + (32 + 16 + 96 + 8) + 4);
}
