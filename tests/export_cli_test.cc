// `sftx export FILE PLAN -o DIR` end to end: a real (tiny) training, the directory it writes,
// and the refusals. transformers itself loads the directory in scripts/peers/export_parity.py.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "runtime/tokenizer/tokenizer.h"
#include "tests/run_test_support.h"

using namespace sftx::e2e;
namespace fs = std::filesystem;

namespace {

const char* kSource = R"(math    = synthetic("math", n = 60, seed = 1)
general = synthetic("general", n = 60, seed = 2)
tok     = sentencepiece(mix(math, general), vocab = 400)
base    = model("llama", preset = "nano", tokenizer = tok)
plan dmt(k) {
  stage1 = math
  stage2 = mix(general, k * stage1.data) with { method = lora(r = 4, alpha = 8), template = "chatml" }
}
plan solo { stage1 = math }
experiment small {
  base  = base
  plans = [dmt(1/4), solo]
}
)";

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("sftx export: usage and input errors say what is wrong and write nothing", "[export][hostile]") {
  RunProject p;
  p.write("small.sftx", kSource);
  SECTION("no -o is a usage error") {
    CommandResult r = p.sftx("export small.sftx solo");
    INFO(r.err);
    CHECK(r.rc == 2);
    CHECK(r.err.find("--out") != std::string::npos);
  }
  SECTION("an unknown plan instance names the known ones, with did-you-mean") {
    CommandResult r = p.sftx("export small.sftx 'dtm(1/4)' -o out");
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK(r.err.find("no plan instance 'dtm(1/4)'") != std::string::npos);
    CHECK(r.err.find("did you mean 'dmt(1/4)'") != std::string::npos);
    CHECK(r.err.find("solo") != std::string::npos);
    CHECK_FALSE(fs::exists(p.dir() / "out"));
    CHECK_FALSE(fs::exists(p.cache()));  // nothing ran
  }
  SECTION("a directory that is not an earlier export is refused, not replaced") {
    p.write("mine/notes.txt", "keep me");
    CommandResult r = p.sftx("export small.sftx solo -o mine --profile tiny");
    INFO(r.err);
    CHECK(r.rc == 2);
    CHECK(r.err.find("not an earlier export") != std::string::npos);
    CHECK(fs::exists(p.dir() / "mine" / "notes.txt"));
  }
  SECTION("a program with errors exits 1 with the located diagnostic") {
    p.write("bad.sftx", "plan solo { stage1 = maths }\n");
    CommandResult r = p.sftx("export bad.sftx solo -o out");
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK(r.err.find("bad.sftx:1") != std::string::npos);
  }
  SECTION("a stage that fails on its data exits 1, names the line, and exports nothing") {
    p.write("broken.jsonl",
            "{\"instruction\": \"Say hi.\", \"input\": \"\", \"output\": \"Hi.\"}\n"
            "{\"instruction\": \"Say bye.\", \"input\": \"\"\n");
    p.write("broken.sftx",
            "chat = jsonl(\"broken.jsonl\", format = \"alpaca\")\n"
            "plan once { stage1 = chat }\n"
            "experiment broken { base = model(\"llama\", preset = \"nano\"); plans = [once] }\n");
    CommandResult r = p.sftx("export broken.sftx once -o out --profile tiny");
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK(r.err.find("broken.jsonl:2") != std::string::npos);
    CHECK(r.err.find("did not train") != std::string::npos);
    CHECK_FALSE(fs::exists(p.dir() / "out"));
  }
}

TEST_CASE("sftx export: trains what is missing, writes a Hugging Face directory, then reuses the cache",
          "[export][run]") {
  RunProject p;
  p.write("small.sftx", kSource);
  CommandResult r = p.sftx("export small.sftx 'dmt(1/4)' -o out --profile tiny");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.find("trained now") != std::string::npos);
  const fs::path out = p.dir() / "out";
  for (const char* f : {"config.json", "model.safetensors", "generation_config.json", "tokenizer.json",
                        "tokenizer_config.json", "tokenizer.model", "sftx_export.json",
                        "lora_adapter/adapter_config.json", "lora_adapter/adapter_model.safetensors"})
    CHECK(fs::exists(out / f));
  const auto config = read_json(out / "config.json");
  CHECK(config["architectures"][0] == "LlamaForCausalLM");
  CHECK(config["model_type"] == "llama");
  CHECK(config["hidden_size"] == 128);  // the nano preset
  CHECK(config["vocab_size"] == 400);   // the tokenizer's
  CHECK(config["tie_word_embeddings"] == true);
  const auto tok_config = read_json(out / "tokenizer_config.json");
  CHECK(tok_config["eos_token"] == "</s>");
  CHECK(tok_config["chat_template"].get<std::string>().find("<|im_start|>") != std::string::npos);
  CHECK(tok_config["add_bos_token"] == false);  // chatml has no bos
  const auto gen = read_json(out / "generation_config.json");
  // </s>, then chatml's stop markers, which are single (user-defined) tokens of sftx's tokenizer
  const auto pieces = sftx::rt::Tokenizer::load((out / "tokenizer.model").string()).pieces();
  const auto id_of = [&](const std::string& p) { return std::find(pieces.begin(), pieces.end(), p) - pieces.begin(); };
  CHECK(gen["eos_token_id"] == nlohmann::json::array({2, id_of("<|im_end|>"), id_of("<|im_start|>")}));
  const auto adapter = read_json(out / "lora_adapter" / "adapter_config.json");
  CHECK(adapter["r"] == 4);
  CHECK(adapter["lora_alpha"] == 8);
  CHECK(read_json(out / "sftx_export.json")["stage"] == "dmt(1/4).stage2");
  // The tokenizer.json encodes as the SentencePiece model sftx trained with.
  const auto sp = sftx::rt::Tokenizer::load((out / "tokenizer.model").string());
  const auto hf = sftx::rt::Tokenizer::load((out / "tokenizer.json").string());
  for (const std::string s : {"Tom has 17 apples.", "<|im_start|>user\nHi<|im_end|>\n", "  def f(x):\n\treturn x"})
    CHECK(hf.hf()->encode(s, false) == sp.encode(s));

  // The export as a model of its own (hf(...), its chat template): trained further and exported
  // again, it keeps the tokenizer.json and the template as they were.
  p.write("again.sftx", "math = synthetic(\"math\", n = 40, seed = 1)\n"
                        "plan again { stage1 = math with { template = \"model\" } }\n"
                        "experiment again { base = hf(\"out\"); plans = [again] }\n");
  CommandResult round = p.sftx("export again.sftx again -o again_out --profile tiny");
  INFO(round.err);
  REQUIRE(round.rc == 0);
  CHECK(read_json(p.dir() / "again_out" / "tokenizer.json") == read_json(out / "tokenizer.json"));
  CHECK(read_json(p.dir() / "again_out" / "tokenizer_config.json")["chat_template"] == tok_config["chat_template"]);
  CHECK_FALSE(fs::exists(p.dir() / "again_out" / "tokenizer.model"));  // a tokenizer.json model: copied as it is

  // Again, into the same directory: nothing trains, the export is replaced whole.
  CommandResult again = p.sftx("export small.sftx solo -o out --profile tiny");
  INFO(again.err);
  REQUIRE(again.rc == 0);
  CHECK(again.err.find("from the cache") != std::string::npos);  // solo's stage1 is dmt's stage1
  CHECK_FALSE(fs::exists(out / "lora_adapter"));
  CHECK(read_json(out / "tokenizer_config.json")["add_bos_token"] == true);  // vicuna starts with <s>
  CHECK(read_json(out / "sftx_export.json")["plan"] == "solo");
}
