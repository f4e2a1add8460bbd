#include "runtime/nn/inference_verbs.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "runtime/nn/generate.h"
#include "runtime/nn/hf_checkpoint.h"
#include "runtime/nn/sequence_stats.h"
#include "runtime/nn/testing_models.h"
#include "tests/test_support.h"

using namespace sftx::rt;

TEST_CASE("the worker verbs read and write the request files", "[inference_verbs]") {
  Llama model = testing::peaked_model(15);
  sftx::testing::TempDir scratch("sftx-nn-verbs");
  const auto& dir = scratch.path();
  save_hf((dir / "ck").string(), model);
  {
    std::ofstream p(dir / "prompts.jsonl");
    p << R"({"id": "a", "ids": [1, 5, 9, 3]})" << "\n\n" << R"({"id": "b", "ids": [1, 4]})" << "\n";
    // The tokenizer's pieces_json() layout; </s> (id 2) is the end of sequence.
    nlohmann::json vocab = {{"pieces", nlohmann::json::array()}, {"types", nlohmann::json::array()}, {"eos_id", 2}};
    for (int i = 0; i < 40; ++i) {
      vocab["pieces"].push_back(i == 2 ? "</s>" : std::string(1, static_cast<char>('a' + i % 26)));
      vocab["types"].push_back(i == 2 ? "control" : "normal");
    }
    std::ofstream(dir / "vocab.json") << vocab.dump();
    std::ofstream s(dir / "seqs.jsonl");
    s << R"({"id": 1, "ids": [1, 5, 9, 3], "mask": [0, 1, 1, 1]})" << "\n";
  }
  GenerateRequest g;
  g.checkpoint_dir = (dir / "ck").string();
  g.prompts_jsonl = (dir / "prompts.jsonl").string();
  g.vocab_json = (dir / "vocab.json").string();
  g.max_new_tokens = 6;
  g.batch = 1;
  g.out_jsonl = (dir / "out" / "gen.jsonl").string();
  int64_t last_done = -1;
  g.progress = [&](const Progress& p) { last_done = p.done; };
  const auto summary = run_generate(g);
  CHECK(summary.n == 2);
  CHECK(last_done == 2);
  std::ifstream in(g.out_jsonl);
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line));
  REQUIRE(rows.size() == 2u);
  CHECK(rows[0]["id"] == "a");
  CHECK(rows[1]["id"] == "b");
  GenerationOptions options;
  options.max_new_tokens = 6;
  options.eos_ids = {2};
  const auto expected = generate_batch(model, {{1, 5, 9, 3}}, options)[0];
  CHECK(rows[0]["ids"].get<std::vector<int64_t>>() == expected.ids);
  CHECK(rows[0]["text"].get<std::string>().size() == expected.ids.size());

  LogprobRequest lp;
  lp.checkpoint_dir = g.checkpoint_dir;
  lp.sequences_jsonl = (dir / "seqs.jsonl").string();
  lp.out_jsonl = (dir / "lp.jsonl").string();
  run_token_logprobs(lp);
  const auto lp_row = nlohmann::json::parse(std::ifstream(lp.out_jsonl));
  CHECK(lp_row["id"] == 1);
  CHECK(lp_row["tokens"] == 3);
  CHECK(lp_row["logprob"].get<double>() ==
        Approx(sequence_logprobs(model, {{1, 5, 9, 3}}, {{0, 1, 1, 1}})[0].first).epsilon(1e-5));

  HiddenStatesRequest hs;
  hs.checkpoint_dir = g.checkpoint_dir;
  hs.prompts_jsonl = g.prompts_jsonl;
  hs.layer = 2;
  hs.out_jsonl = (dir / "hs.jsonl").string();
  run_hidden_states(hs);
  std::ifstream hin(hs.out_jsonl);
  std::getline(hin, line);
  CHECK(nlohmann::json::parse(line)["vector"].size() == 32u);

  // A bad line is reported with file:line.
  std::ofstream(dir / "bad.jsonl") << R"({"id": "a", "ids": [1, 2]})" << "\n" << R"({"id": "b", "ids": [1, 99]})" << "\n";
  g.prompts_jsonl = (dir / "bad.jsonl").string();
  CHECK_THROWS_WITH(run_generate(g), Catch::Contains("bad.jsonl:2"));
}
