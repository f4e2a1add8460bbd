// Real training runs of tiny models on a synthetic sums shard (runtime/nn/testing_math_shard.h).
#include "runtime/nn/trainer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "runtime/nn/autocast.h"
#include "runtime/nn/hf_checkpoint.h"
#include "runtime/nn/hf_config.h"
#include "runtime/nn/testing_math_shard.h"
#include "tests/test_support.h"

using namespace sftx::rt;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A 3-layer model small enough that a few steps take milliseconds.
ModelSpec tiny_model() {
  ModelSpec m;
  m.preset = "nano";
  m.overrides = {{"vocab_size", testing::kMathVocab}, {"hidden_size", 32},   {"intermediate_size", 64},
                 {"num_hidden_layers", 3},            {"num_attention_heads", 2}, {"num_key_value_heads", 1}};
  return m;
}

TrainRequest tiny_request(const fs::path& dir, const std::string& shard) {
  TrainRequest r;
  r.model = tiny_model();
  r.shards = {shard};
  r.hp.epochs = 1;
  r.hp.batch = 4;
  r.hp.lr = 1e-2;
  r.hp.warmup = 0;
  r.hp.schedule = "constant";
  r.hp.seq_len = 32;
  r.hp.max_steps = 3;
  r.hp.seed = 7;
  r.hp.log_every = 1;
  r.hp.save_every = 0;
  r.out_dir = (dir / "out").string();
  return r;
}

// The weights a run starts from: the same preset init from the same seed.
TensorMap initial_weights(const TrainRequest& r) {
  torch::manual_seed(r.hp.seed);
  Llama model(resolve_model_spec(r.model));
  return model_state(model);
}

std::vector<json> read_metrics(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) out.push_back(json::parse(l));
  return out;
}

// Names of the tensors that differ (at all) between two checkpoints; checks the rest are bitwise equal.
std::set<std::string> changed(const TensorMap& before, const TensorMap& after) {
  std::set<std::string> out;
  REQUIRE(before.size() == after.size());
  for (const auto& [name, t] : before) {
    REQUIRE(after.count(name));
    if (!torch::equal(t, after.at(name))) out.insert(name);
  }
  return out;
}

}  // namespace

TEST_CASE("full fine-tuning changes every weight tensor", "[trainer][methods]") {
  sftx::testing::TempDir dir_tmp("sftx-trainer-full");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 16, 32, 1);
  TrainRequest r = tiny_request(dir, (dir / "d.shard").string());
  TrainResult res = run_training(r);
  CHECK(res.steps == 3);
  CHECK(res.resumed_from_step == 0);
  CHECK_FALSE(fs::exists(dir / "out" / "state"));  // removed once the model is exported
  TensorMap before = initial_weights(r);
  auto diff = changed(before, read_hf_checkpoint(res.checkpoint_dir).tensors);
  CHECK(diff.size() == before.size());
  auto lines = read_metrics(res.metrics_path);
  REQUIRE(lines.size() == 3);
  for (const char* key : {"step", "epoch", "loss", "lr", "grad_norm", "tokens_per_s"}) CHECK(lines[0].contains(key));
  CHECK(lines[2]["step"] == 3);
  fs::remove_all(dir);
}

TEST_CASE("freeze(layers = 1) trains only the top layer and the final norm", "[trainer][methods]") {
  sftx::testing::TempDir dir_tmp("sftx-trainer-freeze");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 16, 32, 2);
  TrainRequest r = tiny_request(dir, (dir / "d.shard").string());
  r.method.kind = "freeze";
  r.method.freeze_layers = 1;
  r.hp.weight_decay = 0.1;  // frozen tensors must not decay either
  TrainResult res = run_training(r);
  TensorMap before = initial_weights(r);
  auto diff = changed(before, read_hf_checkpoint(res.checkpoint_dir).tensors);
  std::set<std::string> expected{"model.norm.weight"};
  for (const auto& [name, t] : before)
    if (name.rfind("model.layers.2.", 0) == 0) expected.insert(name);
  CHECK(expected.size() == 10);  // 7 projections + 2 norms of layer 2, and the final norm
  CHECK(diff == expected);
  fs::remove_all(dir);
}

TEST_CASE("lora changes only its target projections, merged on export", "[trainer][methods][lora]") {
  sftx::testing::TempDir dir_tmp("sftx-trainer-lora");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 16, 32, 3);
  TrainRequest r = tiny_request(dir, (dir / "d.shard").string());
  r.method.kind = "lora";
  r.method.lora_r = 4;
  r.method.lora_alpha = 8;
  r.method.lora_targets = {"q_proj", "down_proj"};
  TrainResult res = run_training(r);
  TensorMap before = initial_weights(r);
  auto diff = changed(before, read_hf_checkpoint(res.checkpoint_dir).tensors);
  std::set<std::string> expected;
  for (int l = 0; l < 3; ++l) {
    expected.insert("model.layers." + std::to_string(l) + ".self_attn.q_proj.weight");
    expected.insert("model.layers." + std::to_string(l) + ".mlp.down_proj.weight");
  }
  CHECK(diff == expected);

  TrainRequest bad = r;
  bad.method.lora_targets = {"qkv"};
  CHECK_THROWS_WITH(run_training(bad), Catch::Contains("'qkv' matches no projection"));
  fs::remove_all(dir);
}

TEST_CASE("gradient accumulation gives the same loss and gradient as one big batch", "[trainer]") {
  // The step-1 gradient norm is taken from the accumulated gradients before clipping: equal norms
  // and losses mean the micro-batches were weighted by the whole step's token count. (Weights are
  // not compared: Adam's first update is nearly sign(g), which amplifies float rounding in g ~ 0.)
  sftx::testing::TempDir dir_tmp("sftx-trainer-accum");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 16, 32, 4);
  TrainRequest one = tiny_request(dir, (dir / "d.shard").string());
  one.hp.max_steps = 2;
  one.hp.clip = 0.5;
  TrainRequest four = one;
  four.hp.grad_accum = 4;  // micro-batches of 1 sequence with different loss-token counts
  four.out_dir = (dir / "out4").string();
  run_training(one);
  run_training(four);
  auto ma = read_metrics((dir / "out" / "metrics.jsonl").string());
  auto mb = read_metrics((dir / "out4" / "metrics.jsonl").string());
  REQUIRE(ma.size() == 2);
  REQUIRE(mb.size() == 2);
  CHECK(ma[0]["loss"].get<double>() == Approx(mb[0]["loss"].get<double>()).epsilon(1e-5));
  CHECK(ma[0]["grad_norm"].get<double>() == Approx(mb[0]["grad_norm"].get<double>()).epsilon(1e-5));
  CHECK(ma[1]["loss"].get<double>() == Approx(mb[1]["loss"].get<double>()).epsilon(1e-3));
  fs::remove_all(dir);
}

TEST_CASE("dtype bf16 on the CPU trains under autocast where LibTorch can, and follows the fp32 run", "[trainer][autocast]") {
  // LibTorch >= 2.4: bf16 matmuls, so the losses differ from fp32 but stay within bf16 rounding;
  // LibTorch 1.13: the worker says it trains fp32, and the losses are fp32's exactly.
  sftx::testing::TempDir dir_tmp("sftx-trainer-bf16");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 16, 32, 5);
  TrainRequest fp32 = tiny_request(dir, (dir / "d.shard").string());
  fp32.hp.dtype = "fp32";
  TrainRequest bf16 = fp32;
  bf16.hp.dtype = "bf16";
  bf16.out_dir = (dir / "out-bf16").string();
  run_training(fp32);
  run_training(bf16);
  auto a = read_metrics((dir / "out" / "metrics.jsonl").string());
  auto b = read_metrics((dir / "out-bf16" / "metrics.jsonl").string());
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 3);
  for (size_t i = 0; i < a.size(); ++i) {
    const double la = a[i]["loss"].get<double>(), lb = b[i]["loss"].get<double>();
    if (cpu_bf16_autocast()) {
      CHECK(la != lb);
      CHECK(lb == Approx(la).epsilon(2e-2));
    } else {
      CHECK(la == lb);
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("a NaN loss stops the stage and names the last good checkpoint", "[trainer]") {
  sftx::testing::TempDir dir_tmp("sftx-trainer-nan");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 32, 32, 5);
  TrainRequest r = tiny_request(dir, (dir / "d.shard").string());
  r.hp.max_steps = 8;
  r.hp.lr = 1e30;  // the first update blows the weights up
  r.hp.clip = 0;
  r.hp.save_every = 1;
  std::string message;
  try {
    run_training(r);
  } catch (const TrainingDiverged& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Matches(".*(loss|gradient norm) became (NaN|infinite) at step [0-9]+.*"));
  CHECK_THAT(message, Catch::Contains("last good checkpoint: " + (dir / "out" / "state").string()));
  CHECK(fs::exists(dir / "out" / "state" / "state.json"));
  CHECK_FALSE(fs::exists(dir / "out" / "model"));
  fs::remove_all(dir);
}

TEST_CASE("a nano model learns synthetic sums: the loss falls in metrics.jsonl", "[trainer][slow]") {
  sftx::testing::TempDir dir_tmp("sftx-trainer-learn");
  const fs::path dir = dir_tmp.path();
  testing::write_math_shard((dir / "d.shard").string(), 400, 64, 6);
  testing::write_math_shard((dir / "v.shard").string(), 16, 64, 60);
  TrainRequest r;
  r.model.preset = "nano";
  r.model.overrides = {{"vocab_size", testing::kMathVocab}};
  r.shards = {(dir / "d.shard").string()};
  r.hp.epochs = 2;
  r.hp.batch = 4;
  r.hp.lr = 2e-3;
  r.hp.warmup = 0.05;
  r.hp.schedule = "cosine";
  r.hp.weight_decay = 0.01;
  r.hp.seq_len = 64;
  r.hp.log_every = 10;
  r.hp.save_every = 0;
  r.out_dir = (dir / "out").string();
  TrainOptions options;
  options.val_shards = {(dir / "v.shard").string()};
  options.eval_every = 100;
  TrainResult res = run_training(r, options);
  CHECK(res.steps == 200);
  auto lines = read_metrics(res.metrics_path);
  REQUIRE(lines.size() == 20);
  double first = lines.front()["loss"], last = lines.back()["loss"];
  INFO("loss at step 10: " << first << ", at step 200: " << last);
  CHECK(last < 0.6 * first);
  CHECK(lines[9].contains("val_loss"));
  CHECK(lines.back()["val_loss"].get<double>() < lines[9]["val_loss"].get<double>());
  fs::remove_all(dir);
}
