// dedup(method = "semantic") end to end: a tiny model trained for a few steps by the real
// worker, its hidden states through rt::hidden_states, and the variant run by
// rt::apply_transform as the executor runs it.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "runtime/data/record_io.h"
#include "runtime/data/transforms.h"
#include "runtime/base/jsonl.h"
#include "runtime/tokenizer/test_corpus.h"
#include "runtime/tokenizer/tokenizer.h"

using namespace sftx::rt;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json chat(const std::string& user, const std::string& answer, const std::string& origin) {
  return {{"messages", {{{"role", "user"}, {"content", user}}, {{"role", "assistant"}, {"content", answer}}}},
          {"source", "test"},
          {"origin", origin}};
}

}  // namespace

TEST_CASE("semantic dedup removes a near paraphrase and keeps distinct records", "[dedup][worker]") {
  if (!std::getenv("SFTX_WORKER")) {
    fs::path beside = fs::read_symlink("/proc/self/exe").parent_path() / "sftx-worker";
    ::setenv("SFTX_WORKER", beside.c_str(), 0);
  }
  const fs::path dir = testing::scratch_dir("semantic_dedup");
  const std::string tokenizer = testing::shared_model_path();
  const std::string corpus = testing::write_corpus(dir);

  // A 2-layer nano model trained briefly on the conversations the records are drawn from.
  PackSpec ps;
  ps.tokenizer_model = tokenizer;
  ps.seq_len = 256;  // the corpus conversations are ~200 tokens: 64 cut every answer (no loss)
  pack_data(corpus, ps, (dir / "train.shard").string());
  TrainRequest tr;
  tr.model.preset = "nano";
  tr.model.overrides = {{"vocab_size", Tokenizer::load(tokenizer).vocab_size()}, {"num_hidden_layers", 2}};
  tr.shards = {(dir / "train.shard").string()};
  tr.hp.max_steps = 20;
  tr.hp.batch = 8;
  tr.hp.seq_len = 256;
  tr.hp.lr = 1e-3;
  tr.out_dir = (dir / "train").string();
  const std::string checkpoint = train(tr).checkpoint_dir;

  const std::string in = (dir / "records.jsonl").string();
  write_jsonl(in, {chat("Tom has 12 apples and buys 5 more. How many now?", "Tom has 12 + 5 = 17 apples.\n#### 17", "apples"),
                   chat("Please describe cooking pasta in a few sentences.", "Boil water, add salt, cook the pasta.", "pasta"),
                   chat("Tom has 12 apples and buys 5 more apples. How many now?", "Tom has 12 + 5 = 17 apples.\n#### 17",
                        "apples again"),
                   chat("Write a Python function that returns the sum of a list times 3.",
                        "def scaled_sum(xs):\n    return sum(xs) * 3\n", "code"),
                   chat("Please plan a trip to Lisbon in a few sentences.", "Fly in, walk the hills, eat pastries.", "lisbon")});
  json params = {{"method", "semantic"},
                 {"model", {{"hf_dir", checkpoint}, {"tokenizer", tokenizer}}},
                 {"threshold", 0.97},
                 {"layer", -1}};
  const std::string out = (dir / "out" / "data.jsonl").string();
  DataStats st = apply_transform("dedup", params, {in}, out, 0, Device{}, ProgressFn{});

  std::vector<std::string> kept;
  for_each_record(out, [&](Record&& r, int64_t) { kept.push_back(r.origin); });
  INFO(st.details.dump());
  CHECK(kept == std::vector<std::string>{"apples", "pasta", "code", "lisbon"});
  CHECK(st.removed == 1);
  CHECK(st.details["method"] == "semantic");
  REQUIRE(st.details["examples"].size() == 1);
  CHECK(st.details["examples"][0]["removed"] == "apples again");
  CHECK(st.details["examples"][0]["duplicate_of"] == "apples");
  // The distinct records stayed below the threshold on their own evidence.
  CHECK(st.details["closest_kept_similarity"].get<double>() < 0.97);

  // A threshold of 1 keeps everything but exact copies of the text.
  params["threshold"] = 1.0;
  DataStats all = apply_transform("dedup", params, {in}, (dir / "out1" / "data.jsonl").string(), 0, Device{}, ProgressFn{});
  CHECK(all.records == 5);
}
