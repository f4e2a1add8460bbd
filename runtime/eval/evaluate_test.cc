// evaluate() end to end through the real worker: a nano model trained for a few steps on the
// test corpus, then gsm8k, ifeval, perplexity and tsne nodes. The scores of an untrained model
// are near zero; what is checked is the pipeline: prompts, generation, scoring, files.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "runtime/api.h"
#include "runtime/eval/jsonl.h"
#include "runtime/tokenizer/test_corpus.h"
#include "runtime/tokenizer/tokenizer.h"

using namespace sftx::rt;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void ensure_worker_env() {
  if (std::getenv("SFTX_WORKER")) return;
  fs::path beside = fs::read_symlink("/proc/self/exe").parent_path() / "sftx-worker";
  ::setenv("SFTX_WORKER", beside.c_str(), 0);
}

json user_record(const std::string& q, const std::string& source, json meta) {
  return {{"messages", {{{"role", "user"}, {"content", q}}, {{"role", "assistant"}, {"content", "Tom has 7 apples."}}}},
          {"source", source},
          {"meta", std::move(meta)}};
}

// A checkpoint of a tiny model trained for two steps (the worker refuses nothing smaller).
std::string tiny_checkpoint(const fs::path& dir, const std::string& tokenizer_model, const std::string& corpus) {
  PackSpec ps;
  ps.tokenizer_model = tokenizer_model;
  ps.seq_len = 64;
  pack_data(corpus, ps, (dir / "train.shard").string());
  TrainRequest tr;
  tr.model.preset = "nano";
  tr.model.overrides = {{"vocab_size", Tokenizer::load(tokenizer_model).vocab_size()}, {"num_hidden_layers", 1}};
  tr.shards = {(dir / "train.shard").string()};
  tr.hp.max_steps = 2;
  tr.hp.batch = 4;
  tr.hp.seq_len = 64;
  tr.hp.lr = 1e-3;
  tr.out_dir = (dir / "train").string();
  return train(tr).checkpoint_dir;
}

}  // namespace

TEST_CASE("evaluate: gsm8k, ifeval, perplexity and tsne through the worker", "[evaluate][worker]") {
  ensure_worker_env();
  fs::path dir = fs::temp_directory_path() / ("sftx-evaluate-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string model = sftx::rt::testing::shared_model_path();
  const std::string corpus = sftx::rt::testing::write_corpus(dir);
  const std::string ckpt = tiny_checkpoint(dir, model, corpus);

  const std::string data = (dir / "eval.jsonl").string();
  write_jsonl(data, {user_record("Tom has 3 apples and buys 4 more. How many now?", "math", {{"answer", "7"}}),
                     user_record("Tom has 5 apples and buys 2 more. How many now?", "math", {{"answer", "7"}}),
                     user_record("Please describe cooking pasta in a few sentences.", "general",
                                 {{"instruction_id_list", {"punctuation:no_comma"}}, {"kwargs", {json::object()}}}),
                     user_record("Please plan a trip to Lisbon in a few sentences.", "general",
                                 {{"instruction_id_list", {"punctuation:no_comma"}}, {"kwargs", {json::object()}}})});
  EvalRequest req;
  req.checkpoint_dir = ckpt;
  req.tokenizer_model = model;
  req.chat_template = "vicuna";
  req.data_jsonl = data;

  // gsm8k on the first two records.
  req.metric = "gsm8k";
  req.params = {{"max_new_tokens", 8}, {"limit", 2}};
  req.out_dir = (dir / "gsm8k").string();
  json g;
  try {
    g = evaluate(req);
  } catch (const std::exception& e) {
    if (std::string(e.what()).find("not available in this build") != std::string::npos) {
      WARN("the worker has no inference verbs yet: " << e.what());
      fs::remove_all(dir);
      return;
    }
    throw;
  }
  CHECK(g["metric"] == "gsm8k");
  CHECK(g["n"] == 2);
  double acc = g["scores"]["accuracy"];
  CHECK((acc >= 0.0 && acc <= 1.0));
  auto gens = read_jsonl_objects((dir / "gsm8k" / "generations.jsonl").string());
  CHECK(gens.size() == 2);
  auto samples = read_jsonl_objects(g["samples"]);
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].value["expected"] == "7");
  CHECK(fs::exists(dir / "gsm8k" / "result.json"));
  CHECK(fs::exists(dir / "gsm8k" / "vocab.json"));

  // Greedy decoding is deterministic: the same node gives the same generations.
  req.out_dir = (dir / "gsm8k-again").string();
  evaluate(req);
  auto again = read_jsonl_objects((dir / "gsm8k-again" / "generations.jsonl").string());
  REQUIRE(again.size() == 2);
  CHECK(again[0].value["text"] == gens[0].value["text"]);

  req.metric = "perplexity";
  req.params = json::object();
  req.out_dir = (dir / "ppl").string();
  auto p = evaluate(req);
  double ppl = p["scores"]["perplexity"];
  CHECK(std::isfinite(ppl));
  CHECK(ppl > 1.0);
  CHECK(p["n"] == 4);

  req.metric = "tsne";
  req.params = {{"n", 2}, {"layer", 1}, {"perplexity", 1.0}};
  req.out_dir = (dir / "tsne").string();
  auto t = evaluate(req);
  CHECK(t["scores"]["points"] == 4);
  CHECK(fs::exists(dir / "tsne" / "tsne.png"));
  fs::remove_all(dir);
}

TEST_CASE("evaluate: unknown metrics and missing data are errors", "[evaluate]") {
  EvalRequest req;
  req.metric = "bleu";
  req.out_dir = (fs::temp_directory_path() / "sftx-evaluate-unknown").string();
  req.data_jsonl = req.out_dir + "/none.jsonl";
  CHECK_THROWS_WITH(evaluate(req), Catch::Contains("cannot open"));
  std::ofstream(req.data_jsonl) << "";
  CHECK_THROWS_WITH(evaluate(req), Catch::Contains("unknown metric \"bleu\""));
  fs::remove_all(req.out_dir);
}
