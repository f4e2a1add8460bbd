// Presets, config.json, safetensors and Hugging Face checkpoint directories.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "runtime/nn/hf_checkpoint.h"
#include "runtime/nn/hf_config.h"
#include "runtime/nn/safetensors.h"
#include "runtime/nn/testing_models.h"
#include "tests/test_support.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {

LlamaConfig tiny(bool tied) {
  LlamaConfig c = testing::tiny_config(50, 40, tied);
  c.rope_theta = 1234.0;
  return c;
}

void append_u64_le(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("presets have the documented parameter counts", "[hf_io]") {
  const auto nano = load_preset("nano");
  CHECK(nano.vocab_size == 2000);
  CHECK(nano.parameter_count() == 982144);  // the count nano.toml states
  CHECK(load_preset("mini").parameter_count() == 15661440);
  CHECK(load_preset("small").parameter_count() == 124668672);
  CHECK_THROWS_WITH(load_preset("huge"), Catch::Contains("nano"));
}

TEST_CASE("a model spec resolves presets, config.json and overrides", "[hf_io]") {
  ModelSpec spec;
  spec.preset = "nano";
  spec.overrides = {{"vocab_size", 777}};
  CHECK(resolve_model_spec(spec).vocab_size == 777);
  spec.overrides = {{"vocab_sise", 777}};
  CHECK_THROWS_WITH(resolve_model_spec(spec), Catch::Contains("vocab_sise"));

  // A config.json as transformers writes it for a Llama model (keys sftx does not use included).
  sftx::testing::TempDir dir_tmp("sftx-hfio-config");
  const fs::path dir = dir_tmp.path();
  write_bytes(dir / "config.json", R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
    "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 3, "num_attention_heads": 8,
    "num_key_value_heads": 4, "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "vocab_size": 128,
    "max_position_embeddings": 4096, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
    "bos_token_id": 1, "eos_token_id": [2, 7], "pad_token_id": null, "head_dim": null,
    "rope_scaling": null, "use_cache": true, "transformers_version": "4.44.0"})");
  ModelSpec hf;
  hf.hf_dir = dir.string();
  const auto c = resolve_model_spec(hf);
  CHECK(c.hidden_size == 64);
  CHECK(c.num_key_value_heads == 4);
  CHECK(c.rope_theta == 500000.0);
  CHECK(c.tie_word_embeddings);
  CHECK(c.eos_token_id == 2);
  CHECK(c.resolved_head_dim() == 8);

  // Round trip through our writer.
  const auto back = config_from_hf_json(config_to_hf_json(c, "float32"), "round trip");
  CHECK(back.hidden_size == c.hidden_size);
  CHECK(back.rope_theta == c.rope_theta);
  CHECK(back.rms_norm_eps == c.rms_norm_eps);

  CHECK_THROWS_WITH(config_from_hf_json({{"model_type", "gpt2"}}, "x.json"), Catch::Contains("x.json"));
  auto scaled = config_to_hf_json(c, "float32");
  scaled["rope_scaling"] = {{"rope_type", "llama3"}};
  CHECK_THROWS_WITH(config_from_hf_json(scaled, "y.json"), Catch::Contains("rope_scaling"));
  fs::remove_all(dir);
}

TEST_CASE("the safetensors reader follows the byte layout of the specification", "[hf_io]") {
  // Built byte by byte: u64 header length, JSON header, data buffer. Tensors out of name order in
  // the buffer and a header not padded to 8 bytes, to show nothing depends on our writer's habits.
  const std::string header =
      R"({"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},)"
      R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]},)"
      R"("c":{"dtype":"I64","shape":[],"data_offsets":[12,20]},)"
      R"("__metadata__":{"format":"pt","who":"test"}})";
  std::string file;
  append_u64_le(file, header.size());
  file += header;
  // b: bfloat16 1.0 = 0x3F80, -2.0 = 0xC000 (little-endian bytes)
  file += std::string("\x80\x3F\x00\xC0", 4);
  // a: float32 1.5 = 0x3FC00000, -0.25 = 0xBE800000
  file += std::string("\x00\x00\xC0\x3F\x00\x00\x80\xBE", 8);
  // c: int64 -3
  file += std::string("\xFD\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8);
  sftx::testing::TempDir dir_tmp("sftx-hfio-bytes");
  const fs::path dir = dir_tmp.path();
  write_bytes(dir / "t.safetensors", file);

  StringMap meta;
  const auto t = read_safetensors((dir / "t.safetensors").string(), &meta);
  REQUIRE(t.size() == 3u);
  CHECK(meta.at("who") == "test");
  CHECK(t.at("a").scalar_type() == torch::kFloat32);
  CHECK(t.at("a").sizes() == torch::IntArrayRef({1, 2}));
  CHECK(t.at("a")[0][0].item<float>() == 1.5f);
  CHECK(t.at("a")[0][1].item<float>() == -0.25f);
  CHECK(t.at("b").scalar_type() == torch::kBFloat16);
  CHECK(t.at("b")[0].item<float>() == 1.0f);
  CHECK(t.at("b")[1].item<float>() == -2.0f);
  CHECK(t.at("c").dim() == 0);
  CHECK(t.at("c").item<int64_t>() == -3);

  // Our writer's bytes: the header length field, alignment, offsets.
  write_safetensors((dir / "w.safetensors").string(), t);
  std::ifstream in(dir / "w.safetensors", std::ios::binary);
  std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(written[i]);
  CHECK((8 + n) % 8 == 0);
  CHECK(written.size() == 8 + n + 20);
  const auto h = nlohmann::json::parse(written.substr(8, n));
  CHECK(h["__metadata__"]["format"] == "pt");
  CHECK(h["a"]["data_offsets"] == nlohmann::json({0, 8}));  // name order
  CHECK(written.substr(8 + n, 8) == std::string("\x00\x00\xC0\x3F\x00\x00\x80\xBE", 8));

  // Malformed files are refused with the path in the message.
  std::string truncated = file.substr(0, file.size() - 3);
  write_bytes(dir / "short.safetensors", truncated);
  CHECK_THROWS_WITH(read_safetensors((dir / "short.safetensors").string()), Catch::Contains("short.safetensors"));
  std::string huge_len;
  append_u64_le(huge_len, 1ull << 40);
  write_bytes(dir / "len.safetensors", huge_len + "{}");
  CHECK_THROWS_WITH(read_safetensors((dir / "len.safetensors").string()), Catch::Contains("header length"));
  fs::remove_all(dir);
}

TEST_CASE("save_hf and load_hf round-trip bitwise, single file and sharded", "[hf_io]") {
  for (bool tied : {false, true}) {
    torch::manual_seed(5);
    Llama model(tiny(tied));
    sftx::testing::TempDir dir_tmp(tied ? "sftx-hfio-rt-tied" : "sftx-hfio-rt");
    const fs::path dir = dir_tmp.path();
    save_hf((dir / "ck").string(), model);
    CHECK(fs::exists(dir / "ck" / "model.safetensors"));
    const auto cfg = nlohmann::json::parse(std::ifstream(dir / "ck" / "config.json"));
    CHECK(cfg["architectures"] == nlohmann::json({"LlamaForCausalLM"}));
    CHECK(cfg["model_type"] == "llama");
    CHECK(cfg["torch_dtype"] == "float32");
    CHECK(cfg["tie_word_embeddings"] == tied);
    const auto header = read_safetensors_header((dir / "ck" / "model.safetensors").string());
    CHECK(header.contains("lm_head.weight") == !tied);

    Llama loaded = load_hf((dir / "ck").string());
    const auto a = model_state(model), b = model_state(loaded);
    REQUIRE(a.size() == b.size());
    for (const auto& [name, t] : a) CHECK(torch::equal(t, b.at(name)));
    CHECK(loaded->config().rope_theta == 1234.0);

    // Sharded: small shards, index file, same tensors.
    SaveOptions sharded;
    sharded.max_shard_bytes = 20000;
    save_hf((dir / "ck").string(), model, sharded);  // replaces the single-file checkpoint
    CHECK(!fs::exists(dir / "ck" / "model.safetensors"));
    CHECK(fs::exists(dir / "ck" / "model.safetensors.index.json"));
    Llama from_shards = load_hf((dir / "ck").string());
    for (const auto& [name, t] : model_state(from_shards)) CHECK(torch::equal(t, a.at(name)));
    int leftovers = 0;
    for (const auto& e : fs::directory_iterator(dir)) leftovers += e.path().filename() != "ck";
    CHECK(leftovers == 0);  // no temporary directories left behind

    // bfloat16 storage: loads back to the bf16-rounded values.
    SaveOptions bf16;
    bf16.torch_dtype = "bfloat16";
    save_hf((dir / "bf").string(), model, bf16);
    const auto ck = read_hf_checkpoint((dir / "bf").string());
    CHECK(ck.torch_dtype == "bfloat16");
    CHECK(ck.tensors.at("model.norm.weight").scalar_type() == torch::kBFloat16);
    Llama from_bf16 = load_hf((dir / "bf").string());
    const auto& w = a.at("model.layers.0.mlp.up_proj.weight");
    CHECK(torch::equal(model_state(from_bf16).at("model.layers.0.mlp.up_proj.weight"),
                       w.to(torch::kBFloat16).to(torch::kFloat32)));
    fs::remove_all(dir);
  }
}

TEST_CASE("a sharded checkpoint written by hand loads", "[hf_io]") {
  torch::manual_seed(6);
  const auto config = tiny(false);
  Llama model(config);
  auto state = model_state(model);
  sftx::testing::TempDir dir_tmp("sftx-hfio-hand");
  const fs::path dir = dir_tmp.path();
  // Two shards split the way transformers does (layers in one, the rest in the other), the index
  // listing every tensor, and config.json written as plain JSON.
  TensorMap first, second;
  nlohmann::json weight_map;
  for (const auto& [name, t] : state) {
    const bool layer = name.rfind("model.layers.", 0) == 0;
    (layer ? first : second).emplace(name, t.to(torch::kFloat16));
    weight_map[name] = layer ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  write_safetensors((dir / "model-00001-of-00002.safetensors").string(), first);
  write_safetensors((dir / "model-00002-of-00002.safetensors").string(), second);
  std::ofstream(dir / "model.safetensors.index.json") << nlohmann::json{{"metadata", {{"total_size", 1}}},
                                                                        {"weight_map", weight_map}}.dump();
  std::ofstream(dir / "config.json") << config_to_hf_json(config, "float16").dump();

  Llama loaded = load_hf(dir.string());
  for (const auto& [name, t] : model_state(loaded))
    CHECK(torch::equal(t, state.at(name).to(torch::kFloat16).to(torch::kFloat32)));

  // A tensor missing from every shard is reported by name.
  weight_map.erase("model.norm.weight");
  second.erase("model.norm.weight");
  write_safetensors((dir / "model-00002-of-00002.safetensors").string(), second);
  std::ofstream(dir / "model.safetensors.index.json") << nlohmann::json{{"weight_map", weight_map}}.dump();
  CHECK_THROWS_WITH(load_hf(dir.string()), Catch::Contains("model.norm.weight"));
  fs::remove_all(dir);
}
