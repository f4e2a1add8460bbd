#include "interpreter/front/input_files.h"

#include <catch2/catch.hpp>

#include "interpreter/front/check.h"
#include "tests/test_support.h"

using sftx::testing::empty_safetensors;
using sftx::testing::sentencepiece_model;
using sftx::testing::TempDir;
namespace fs = std::filesystem;

namespace {

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}


}  // namespace

TEST_CASE("a missing data file names the closest file of its directory, as written", "[inputs]") {
  TempDir dir;
  dir.write("data/gsm8k.jsonl", "{}\n");
  dir.write("data/sharegpt.json", "[]\n");
  CHECK_FALSE(sftx::input_file_problem(dir.path() / "data/gsm8k.jsonl", "data/gsm8k.jsonl", "data file"));
  auto p = sftx::input_file_problem(dir.path() / "data/gsm8k.jsnl", "data/gsm8k.jsnl", "data file");
  REQUIRE(p);
  CHECK(p->message == "no such data file: data/gsm8k.jsnl");
  CHECK(p->helps == std::vector<std::string>{"did you mean 'data/gsm8k.jsonl'?"});
  auto far = sftx::input_file_problem(dir.path() / "data/unrelated.jsonl", "data/unrelated.jsonl", "data file");
  REQUIRE(far);
  CHECK(far->helps.empty());
  auto no_dir = sftx::input_file_problem(dir.path() / "nodata/x.jsonl", "nodata/x.jsonl", "data file");
  REQUIRE(no_dir);
  CHECK(any_contains(no_dir->notes, "does not exist either"));
}

TEST_CASE("an hf checkpoint must hold config.json, safetensors weights and a tokenizer", "[inputs][hf]") {
  TempDir dir;
  auto missing = sftx::hf_checkpoint_problem(dir.path() / "ckpt", "ckpt", nullptr);
  REQUIRE(missing);
  CHECK(missing->message == "no Hugging Face checkpoint 'ckpt': the directory does not exist");
  dir.write("ckpt/pytorch_model.bin", "torch pickle");
  auto incomplete = sftx::hf_checkpoint_problem(dir.path() / "ckpt", "ckpt", nullptr);
  REQUIRE(incomplete);
  CHECK(incomplete->message ==
        "the checkpoint 'ckpt' is incomplete: no config.json, no safetensors weights (pytorch_model.bin is not read: "
        "convert it to model.safetensors), no tokenizer (tokenizer.json or tokenizer.model)");
  CHECK(any_contains(incomplete->notes, "holds: pytorch_model.bin"));
  dir.write("ckpt/config.json", "{\"vocab_size\": 40}");
  dir.write("ckpt/model.safetensors", empty_safetensors());
  dir.write("ckpt/tokenizer.model", sentencepiece_model(3));
  CHECK_FALSE(sftx::hf_checkpoint_problem(dir.path() / "ckpt", "ckpt", nullptr));
}

TEST_CASE("a bare hf name that is neither under [models] nor a directory suggests the close ones", "[inputs][hf]") {
  TempDir dir;
  sftx::ProjectConfig config;
  config.path = dir.path() / "sftx.toml";
  config.models["llama7b"] = "/models/llama-7b";
  auto p = sftx::hf_checkpoint_problem(dir.path() / "llama7", "llama7", &config);
  REQUIRE(p);
  CHECK(any_contains(p->notes, "[models] of " + config.path.string() + " names: llama7b"));
  CHECK(p->helps == std::vector<std::string>{"did you mean 'llama7b'?"});
}

TEST_CASE("tokenizer sizes: SentencePiece pieces, tokenizer.json's largest id + 1", "[inputs][tokenizer]") {
  TempDir dir;
  std::string why;
  CHECK(sftx::tokenizer_file_size(dir.write("a.model", sentencepiece_model(5)), &why) == 5);
  CHECK(sftx::tokenizer_file_size(dir.write("big.model", sentencepiece_model(100)), &why) == 100);
  CHECK_FALSE(sftx::tokenizer_file_size(dir.write("text.model", "not a model at all"), &why));
  CHECK(why.find("not a SentencePiece model") != std::string::npos);
  CHECK(sftx::tokenizer_file_size(
            dir.write("t.json", R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 7}},
                                    "added_tokens": [{"id": 9, "content": "<s>"}]})"),
            &why) == 10);
  CHECK(sftx::tokenizer_file_size(dir.write("u.json", R"({"model": {"type": "Unigram", "vocab": [["a", 0], ["b", 0]]}})"),
                                  &why) == 2);
  CHECK_FALSE(sftx::tokenizer_file_size(dir.write("e.json", "{}"), &why));
  CHECK(why == "not a tokenizer.json (no model.vocab)");
  CHECK(sftx::hf_config_vocab_size(dir.write("c.json", "{\"vocab_size\": 12}"), &why) == 12);
  CHECK(sftx::hf_config_vocab_size(dir.write("d.json", "{}"), &why) == 32000);
}

TEST_CASE("a checkpoint's tokenizer may be smaller than vocab_size, never larger", "[inputs][tokenizer]") {
  TempDir dir;
  dir.write("ckpt/tokenizer.model", sentencepiece_model(6));
  dir.write("ckpt/config.json", "{\"vocab_size\": 8}");
  CHECK_FALSE(sftx::hf_vocab_problem(dir.path() / "ckpt", "tokenizer.model"));
  dir.write("ckpt/config.json", "{\"vocab_size\": 5}");
  auto p = sftx::hf_vocab_problem(dir.path() / "ckpt", "tokenizer.model");
  REQUIRE(p);
  CHECK(p->message == "the tokenizer has 6 token ids, but the model's vocab_size is 5: ids from 5 on have no embedding");
}

TEST_CASE("LoRA targets are checked against the model's projections", "[inputs][lora]") {
  CHECK_FALSE(sftx::lora_target_problem("q_proj"));
  CHECK_FALSE(sftx::lora_target_problem("down_proj"));
  auto p = sftx::lora_target_problem("v_prj");
  REQUIRE(p);
  CHECK(p->helps == std::vector<std::string>{"did you mean 'v_proj'?"});
  CHECK(any_contains(p->notes, "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"));
}

TEST_CASE("sentencepiece(PATH) takes its vocab from the file, a written vocab must agree", "[inputs][tokenizer]") {
  TempDir dir;
  dir.write("tok.model", sentencepiece_model(7));
  const std::string tail =
      "base = model(\"llama\", preset = \"nano\", tokenizer = tok)\n"
      "plan p { stage1 = synthetic(\"math\", n = 10) }\n"
      "experiment x { base = base; plans = [p]; eval = [gsm8k(gsm8k_test)] }\n";
  {
    sftx::Diagnostics diags;
    auto checked = sftx::check_file(dir.write("ok.sftx", "tok = sentencepiece(\"tok.model\")\n" + tail), diags);
    INFO(diags.render());
    REQUIRE(checked);
    CHECK(checked->experiments.at(0).base->tokenizer->vocab == 7);
  }
  {
    sftx::Diagnostics diags;
    auto checked =
        sftx::check_file(dir.write("bad.sftx", "tok = sentencepiece(\"tok.model\", vocab = 2000)\n" + tail), diags);
    CHECK_FALSE(checked);
    CHECK(diags.render().find("1:42: error: vocab = 2000, but tok.model has 7 pieces") != std::string::npos);
  }
}
