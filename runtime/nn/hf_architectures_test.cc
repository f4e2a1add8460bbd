// Which Hugging Face architectures config.json may name, and what each one builds: Llama,
// Mistral and Qwen2 (q/k/v biases) are computed; what the model does not compute is refused
// naming the field. transformers' side of the same checks: scripts/peers/hf_model_parity.py.
#include <catch2/catch.hpp>

#include <filesystem>

#include "runtime/nn/hf_checkpoint.h"
#include "runtime/nn/hf_config.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {

// The keys transformers 5 writes for a small model of `model_type` (RoPE in rope_parameters).
nlohmann::json hf_config(const std::string& model_type) {
  return {{"model_type", model_type},
          {"hidden_size", 32},
          {"intermediate_size", 48},
          {"num_hidden_layers", 2},
          {"num_attention_heads", 4},
          {"num_key_value_heads", 2},
          {"vocab_size", 40},
          {"max_position_embeddings", 128},
          {"rms_norm_eps", 1e-6},
          {"hidden_act", "silu"},
          {"rope_parameters", {{"rope_type", "default"}, {"rope_theta", 250000.0}}}};
}

}  // namespace

TEST_CASE("transformers 5's rope_parameters are read, not defaulted", "[hf_arch]") {
  auto j = hf_config("llama");
  CHECK(config_from_hf_json(j, "c.json").rope_theta == 250000.0);
  j["rope_parameters"] = {{"rope_type", "linear"}, {"factor", 4.0}, {"rope_theta", 1e4}};
  const auto linear = config_from_hf_json(j, "c.json");
  CHECK(linear.rope_scaling_factor == 4.0);
  CHECK(linear.rope_theta == 1e4);
  // transformers 4's spelling of the same
  j.erase("rope_parameters");
  j["rope_theta"] = 5e5;
  j["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
  CHECK(config_from_hf_json(j, "c.json").rope_scaling_factor == 2.0);
  CHECK(config_from_hf_json(j, "c.json").rope_theta == 5e5);
  j["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 2.0}};
  CHECK_THROWS_WITH(config_from_hf_json(j, "c.json"), Catch::Contains("c.json") && Catch::Contains("yarn"));
}

TEST_CASE("qwen2 has q/k/v biases, llama's attention_bias all four, mistral none", "[hf_arch]") {
  const auto qwen = config_from_hf_json(hf_config("qwen2"), "q.json");
  CHECK(qwen.model_type == "qwen2");
  CHECK(qwen.attention_qkv_bias);
  CHECK_FALSE(qwen.attention_out_bias);
  Llama model(qwen);
  const auto params = model->named_parameters();
  CHECK(params.contains("model.layers.1.self_attn.k_proj.bias"));
  CHECK_FALSE(params.contains("model.layers.1.self_attn.o_proj.bias"));
  CHECK(params["model.layers.0.self_attn.q_proj.bias"].abs().max().item<float>() == 0.0f);  // HF starts them at 0
  int64_t count = 0;
  for (const auto& p : params) count += p.value().numel();
  CHECK(count == qwen.parameter_count());

  auto llama = hf_config("llama");
  llama["attention_bias"] = true;
  const auto biased = config_from_hf_json(llama, "l.json");
  CHECK((biased.attention_qkv_bias && biased.attention_out_bias));
  CHECK(Llama(biased)->named_parameters().contains("model.layers.0.self_attn.o_proj.bias"));

  const auto mistral = config_from_hf_json(hf_config("mistral"), "m.json");
  CHECK_FALSE((mistral.attention_qkv_bias || mistral.attention_out_bias));
  auto wrong = hf_config("mistral");
  wrong["attention_bias"] = true;
  CHECK_THROWS_WITH(config_from_hf_json(wrong, "m.json"), Catch::Contains("attention_bias"));
}

TEST_CASE("what the model does not compute is refused naming the field", "[hf_arch]") {
  auto mistral = hf_config("mistral");
  mistral["sliding_window"] = 64;  // < max_position_embeddings: the window would take effect
  CHECK_THROWS_WITH(config_from_hf_json(mistral, "m.json"), Catch::Contains("m.json") && Catch::Contains("sliding_window"));
  mistral["sliding_window"] = 128;  // as long as any sequence: full attention
  CHECK_NOTHROW(config_from_hf_json(mistral, "m.json"));
  mistral["sliding_window"] = nullptr;
  CHECK_NOTHROW(config_from_hf_json(mistral, "m.json"));

  auto qwen = hf_config("qwen2");
  qwen["sliding_window"] = 16;  // ignored by Qwen2 unless use_sliding_window
  CHECK_NOTHROW(config_from_hf_json(qwen, "q.json"));
  qwen["use_sliding_window"] = true;
  CHECK_THROWS_WITH(config_from_hf_json(qwen, "q.json"), Catch::Contains("sliding_window"));
  qwen["use_sliding_window"] = false;
  qwen["layer_types"] = {"full_attention", "sliding_attention"};
  CHECK_THROWS_WITH(config_from_hf_json(qwen, "q.json"), Catch::Contains("layer_types"));

  auto llama = hf_config("llama");
  llama["mlp_bias"] = true;
  CHECK_THROWS_WITH(config_from_hf_json(llama, "l.json"), Catch::Contains("mlp_bias"));
  CHECK_THROWS_WITH(config_from_hf_json(hf_config("gemma"), "g.json"),
                    Catch::Contains("g.json") && Catch::Contains("model_type \"gemma\""));
  nlohmann::json by_class = hf_config("llama");
  by_class.erase("model_type");
  by_class["architectures"] = {"Qwen2ForCausalLM"};
  CHECK(config_from_hf_json(by_class, "a.json").model_type == "qwen2");
}

TEST_CASE("a qwen2 checkpoint round-trips with its class, biases and rope scaling", "[hf_arch]") {
  auto j = hf_config("qwen2");
  j["rope_parameters"] = {{"rope_type", "linear"}, {"factor", 2.0}, {"rope_theta", 1e6}};
  const LlamaConfig config = config_from_hf_json(j, "q.json");
  torch::manual_seed(3);
  Llama model(config);
  {
    torch::NoGradGuard no_grad;
    model->model->layers[0]->self_attn->v_proj->bias.normal_();
  }
  const fs::path dir = fs::temp_directory_path() / ("sftx_hf_arch_" + std::to_string(::getpid()));
  save_hf(dir.string(), model);
  const auto written = config_to_hf_json(config, "float32");
  CHECK(written["architectures"] == nlohmann::json({"Qwen2ForCausalLM"}));
  CHECK(written["rope_parameters"]["factor"] == 2.0);
  Llama back = load_hf(dir.string());
  CHECK(back->config().model_type == "qwen2");
  CHECK(back->config().rope_scaling_factor == 2.0);
  const auto ids = torch::randint(0, 40, {2, 9}, torch::kInt64);
  torch::NoGradGuard no_grad;
  CHECK(torch::equal(model->forward(ids), back->forward(ids)));
  fs::remove_all(dir);
}
