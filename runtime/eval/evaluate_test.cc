// evaluate() end to end through the real worker: a nano model trained for a few steps on the
// test corpus, then gsm8k, ifeval, perplexity and tsne nodes. The scores of an untrained model
// are near zero; what is checked is the pipeline: prompts, generation, scoring, files.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "runtime/api.h"
#include "runtime/data/chat_template.h"
#include "runtime/base/jsonl.h"
#include "runtime/tokenizer/test_corpus.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/test_support.h"

using namespace sftx::rt;
using sftx::testing::ensure_worker_env;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json user_record(const std::string& q, const std::string& source, json meta) {
  return {{"messages", {{{"role", "user"}, {"content", q}}, {{"role", "assistant"}, {"content", "Tom has 7 apples."}}}},
          {"source", source},
          {"meta", std::move(meta)}};
}

// A checkpoint of a tiny model trained for two steps (the worker refuses nothing smaller).
std::string tiny_checkpoint(const fs::path& dir, const std::string& tokenizer_model, const std::string& corpus) {
  PackSpec ps;
  ps.tokenizer_model = tokenizer_model;
  ps.seq_len = 256;  // the corpus conversations are ~200 tokens: 64 cut every answer (no loss)
  pack_data(corpus, ps, (dir / "train.shard").string());
  TrainRequest tr;
  tr.model.preset = "nano";
  tr.model.overrides = {{"vocab_size", Tokenizer::load(tokenizer_model).vocab_size()}, {"num_hidden_layers", 1}};
  tr.shards = {(dir / "train.shard").string()};
  tr.hp.max_steps = 2;
  tr.hp.batch = 4;
  tr.hp.seq_len = 256;
  tr.hp.lr = 1e-3;
  tr.out_dir = (dir / "train").string();
  return train(tr).checkpoint_dir;
}

// An evaluation of the checkpoint on the records of `data` through the vicuna template; the
// caller names the metric, its parameters and out_dir.
EvalRequest request_on(const std::string& ckpt, const std::string& model, const std::string& data) {
  EvalRequest req;
  req.checkpoint_dir = ckpt;
  req.tokenizer_model = model;
  req.chat_template = "vicuna";
  req.data_jsonl = data;
  return req;
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
  EvalRequest req = request_on(ckpt, model, data);

  // gsm8k on the first two records.
  req.metric = "gsm8k";
  req.params = {{"max_new_tokens", 8}, {"limit", 2}};
  req.out_dir = (dir / "gsm8k").string();
  json g = evaluate(req);
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

TEST_CASE("evaluate: answer_nll of a generative metric is the perplexity path's NLL of the assistant tokens",
          "[evaluate][worker][answer_nll]") {
  ensure_worker_env();
  fs::path dir = fs::temp_directory_path() / ("sftx-answer-nll-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string model = sftx::rt::testing::shared_model_path();
  const std::string ckpt = tiny_checkpoint(dir, model, sftx::rt::testing::write_corpus(dir));

  // Record 1 has no reference answer: it is scored for accuracy but has no answer_nll.
  json with_answer = user_record("Tom has 3 apples and buys 4 more. How many now?", "math", {{"answer", "7"}});
  with_answer["messages"][1]["content"] = "Tom has 3 + 4 = 7 apples.\n#### 7";
  json no_answer = {{"messages", {{{"role", "user"}, {"content", "Tom has 5 apples and buys 2 more. How many now?"}}}},
                    {"meta", {{"answer", "7"}}}};
  json long_question = user_record("Tom has many friends, and each of them likes apples. Tom has 8 apples and buys "
                                   "1 more. How many now?",
                                   "math", {{"answer", "9"}});
  const std::string data = (dir / "math.jsonl").string();
  write_jsonl(data, {with_answer, no_answer, long_question});

  EvalRequest req = request_on(ckpt, model, data);
  req.metric = "gsm8k";
  req.params = {{"max_new_tokens", 4}};
  req.out_dir = (dir / "gsm8k").string();
  json g = evaluate(req);
  CHECK(g["n"] == 3);
  REQUIRE(g["scores"].contains("answer_nll"));
  const double answer_nll = g["scores"]["answer_nll"];
  CHECK(std::isfinite(answer_nll));
  CHECK(answer_nll > 0.0);
  CHECK(g["answer_records"] == 2);
  // result.json on disk carries it too (the executor reads that back from cache).
  std::ifstream result_file(dir / "gsm8k" / "result.json");
  CHECK(json::parse(result_file)["scores"]["answer_nll"].get<double>() == Approx(answer_nll));

  // Only the assistant tokens (and their end-of-turn marker) count: exactly the training mask.
  const auto tok = Tokenizer::load(model);
  const auto& tmpl = ChatTemplate::get("vicuna");
  int64_t masked = 0, all = 0;
  for (const json* r : {&with_answer, &long_question}) {
    auto doc = tok.encode_segments(tmpl.render(record_from_json(*r).messages));
    for (auto m : doc.loss_mask) masked += m != 0;
    all += static_cast<int64_t>(doc.ids.size());
  }
  CHECK(g["answer_tokens"] == masked);
  CHECK(masked < all);

  // The perplexity metric on the same records gives the same mean NLL over the same tokens.
  req.metric = "perplexity";
  req.params = json::object();
  req.out_dir = (dir / "ppl").string();
  auto p = evaluate(req);
  CHECK(p["n"] == 2);
  CHECK(p["scores"]["nll_per_token"].get<double>() == Approx(answer_nll).epsilon(1e-9));
  CHECK(p["scores"]["tokens"] == g["answer_tokens"]);

  // Per record: the records with an answer, by index; their token-weighted mean is the total.
  auto items = read_jsonl_objects((dir / "gsm8k" / "answer_nll.jsonl").string());
  REQUIRE(items.size() == 2);
  CHECK(items[0].value["id"] == 0);
  CHECK(items[1].value["id"] == 2);
  double weighted = 0;
  int64_t tokens = 0;
  for (const auto& it : items) {
    weighted += it.value["answer_nll"].get<double>() * it.value["answer_tokens"].get<double>();
    tokens += it.value["answer_tokens"].get<int64_t>();
  }
  CHECK(tokens == g["answer_tokens"]);
  CHECK(weighted / static_cast<double>(tokens) == Approx(answer_nll).epsilon(1e-9));

  // answer_nll = false: accuracy only, no log-prob files.
  req.metric = "gsm8k";
  req.params = {{"max_new_tokens", 4}, {"answer_nll", false}};
  req.out_dir = (dir / "gsm8k-off").string();
  auto off = evaluate(req);
  CHECK(off["scores"].contains("accuracy"));
  CHECK_FALSE(off["scores"].contains("answer_nll"));
  CHECK_FALSE(fs::exists(dir / "gsm8k-off" / "answer_logprobs.jsonl"));

  // A test set without reference answers (IFEval prompts) gets no answer_nll and no error.
  const std::string prompts = (dir / "ifeval.jsonl").string();
  write_jsonl(prompts, {{{"messages", {{{"role", "user"}, {"content", "Describe cooking pasta without commas."}}}},
                         {"meta", {{"instruction_id_list", {"punctuation:no_comma"}}, {"kwargs", {json::object()}}}}}});
  req.data_jsonl = prompts;
  req.metric = "ifeval";
  req.params = {{"max_new_tokens", 4}};
  req.out_dir = (dir / "ifeval").string();
  auto f = evaluate(req);
  CHECK(f["scores"].contains("prompt_strict"));
  CHECK_FALSE(f["scores"].contains("answer_nll"));
  CHECK_FALSE(f.contains("answer_tokens"));
  CHECK_FALSE(fs::exists(dir / "ifeval" / "answer_logprobs.jsonl"));
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
