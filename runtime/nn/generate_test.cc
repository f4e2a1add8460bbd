#include "runtime/nn/generate.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "runtime/nn/hf_checkpoint.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {

// Larger initial weights than HF's 0.02, so the random model's next-token distribution is peaked
// and greedy decoding is far from ties.
Llama peaked_model(uint64_t seed, bool tied = false) {
  LlamaConfig c;
  c.vocab_size = 40;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.initializer_range = 0.3;
  c.tie_word_embeddings = tied;
  torch::manual_seed(seed);
  Llama m(c);
  m->eval();
  return m;
}

const std::vector<std::vector<int64_t>> kPrompts = {{1, 5, 9, 3, 7, 2, 11}, {1, 4}, {1, 8, 8, 20}};

// Greedy decoding the plainest way: the whole unpadded sequence through forward() every step.
std::vector<int64_t> naive_greedy(Llama& model, std::vector<int64_t> seq, int64_t n) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) {
    const auto logits = model->forward(torch::tensor(seq, torch::kInt64).unsqueeze(0));
    const int64_t next = logits[0][-1].argmax().item<int64_t>();
    out.push_back(next);
    seq.push_back(next);
  }
  return out;
}

// One letter per token: 'a' + id, so a text position is a token position.
Detokenizer letters(int64_t n) {
  std::vector<std::string> pieces;
  for (int64_t i = 0; i < n; ++i) pieces.push_back(std::string(1, static_cast<char>('a' + i % 26)));
  return Detokenizer(pieces, std::vector<std::string>(static_cast<size_t>(n), "normal"));
}

fs::path fresh_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("sftx_nn_gen_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

}  // namespace

TEST_CASE("KV-cache decoding yields exactly the tokens of recomputing the whole sequence", "[generate]") {
  Llama model = peaked_model(10);
  for (double temperature : {0.0, 1.0}) {
    GenerationOptions options;
    options.max_new_tokens = 12;
    options.temperature = temperature;
    options.top_p = 0.9;
    options.seed = 3;
    const auto cached = generate_batch(model, kPrompts, options);
    options.use_cache = false;
    const auto recomputed = generate_batch(model, kPrompts, options);
    for (size_t i = 0; i < kPrompts.size(); ++i) {
      CHECK(cached[i].ids.size() == 12u);
      CHECK(cached[i].ids == recomputed[i].ids);
      CHECK(cached[i].finish == "length");
    }
  }
}

TEST_CASE("batched greedy decoding with left padding equals decoding each prompt alone", "[generate]") {
  for (bool tied : {false, true}) {
    Llama model = peaked_model(11, tied);
    GenerationOptions options;
    options.max_new_tokens = 10;
    const auto batched = generate_batch(model, kPrompts, options);
    for (size_t i = 0; i < kPrompts.size(); ++i) {
      CHECK(batched[i].ids == naive_greedy(model, kPrompts[i], 10));
      CHECK(generate_batch(model, {kPrompts[i]}, options)[0].ids == batched[i].ids);
    }
  }
}

TEST_CASE("sampling is seeded, independent of batching, and top-p narrows to greedy", "[generate]") {
  Llama model = peaked_model(12);
  GenerationOptions options;
  options.max_new_tokens = 16;
  options.temperature = 1.5;
  options.seed = 7;
  const auto a = generate_batch(model, kPrompts, options);
  const auto b = generate_batch(model, kPrompts, options);
  for (size_t i = 0; i < kPrompts.size(); ++i) CHECK(a[i].ids == b[i].ids);
  // Row 2 alone, with its key: the same sample.
  CHECK(generate_batch(model, {kPrompts[2]}, options, {2})[0].ids == a[2].ids);
  options.seed = 8;
  const auto c = generate_batch(model, kPrompts, options);
  bool any_diff = false;
  for (size_t i = 0; i < kPrompts.size(); ++i) any_diff = any_diff || c[i].ids != a[i].ids;
  CHECK(any_diff);
  // A nucleus of (almost) zero mass keeps only the most likely token: greedy.
  options.top_p = 1e-9;
  const auto narrow = generate_batch(model, kPrompts, options);
  for (size_t i = 0; i < kPrompts.size(); ++i) CHECK(narrow[i].ids == naive_greedy(model, kPrompts[i], 16));
}

TEST_CASE("EOS ends a row and stop strings cut its text", "[generate]") {
  Llama model = peaked_model(13);
  const auto detok = letters(40);
  GenerationOptions options;
  options.max_new_tokens = 12;
  options.detokenizer = &detok;
  const auto free_run = generate_batch(model, {kPrompts[0]}, options)[0];
  REQUIRE(free_run.ids.size() == 12u);
  const std::string text = free_run.text;
  REQUIRE(text.size() == 12u);
  CHECK(text == detok.decode(free_run.ids));

  // EOS: the 5th generated token; generation stops at its first occurrence, EOS not included.
  const int64_t eos = free_run.ids[4];
  const auto first = static_cast<size_t>(std::find(free_run.ids.begin(), free_run.ids.end(), eos) - free_run.ids.begin());
  options.eos_ids = {eos};
  const auto ended = generate_batch(model, {kPrompts[0]}, options)[0];
  CHECK(ended.finish == "stop");
  CHECK(ended.ids == std::vector<int64_t>(free_run.ids.begin(), free_run.ids.begin() + static_cast<long>(first)));

  // Stop string: two letters from the middle of the free-run text.
  options.eos_ids.clear();
  options.stop = {"zzzz", text.substr(6, 2)};
  const size_t at = text.find(options.stop[1]);
  const auto stopped = generate_batch(model, {kPrompts[0]}, options)[0];
  CHECK(stopped.finish == "stop");
  CHECK(stopped.text == text.substr(0, at));
  CHECK(stopped.ids.size() == at + 2);  // up to the token that completed the stop string
}

TEST_CASE("the detokenizer renders SentencePiece pieces", "[generate]") {
  const Detokenizer d({"<unk>", "<s>", "</s>", "\xE2\x96\x81Hello", ",", "\xE2\x96\x81w", "orld", "<0xC3>", "<0xA9>",
                       "\xE2\x96\x81" "caf"},
                      {"unknown", "control", "control", "normal", "normal", "normal", "normal", "byte", "byte", "normal"});
  CHECK(d.decode({1, 3, 4, 5, 6, 2}) == "Hello, world");
  CHECK(d.decode({9, 7, 8}) == "caf\xC3\xA9");  // café through byte fallback
  CHECK(d.decode({5, 0}) == "w \xE2\x81\x87 ");
  CHECK(d.eos_id() == 2);
  const Detokenizer guessed({"<unk>", "<s>", "</s>", "<0x41>", "a\xE2\x96\x81"});
  CHECK(guessed.decode({1, 3, 4, 2}) == "Aa ");
}

TEST_CASE("the detokenizer of a tokenizer.json vocabulary joins each token's own bytes", "[generate]") {
  // As Tokenizer::pieces_json() writes it for a byte-level BPE: "Ġ" pieces decode to spaces
  // through "bytes", special tokens are skipped, and no leading space is dropped.
  const auto path = std::filesystem::temp_directory_path() / ("sftx-hf-vocab-" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(path);
    out << R"({"kind": "hf", "pieces": ["<|eot|>", "Hello", "Ġworld", "Ã", "©"],
              "types": ["control", "normal", "normal", "normal", "normal"],
              "bytes": ["3c7c656f747c3e", "48656c6c6f", "20776f726c64", "c3", "a9"],
              "eos_id": 0, "strip_leading_space": false})";
  }
  const Detokenizer d = Detokenizer::from_json_file(path.string());
  CHECK(d.decode({1, 2, 0}) == "Hello world");
  CHECK(d.decode({2, 3, 4}) == " world\xC3\xA9");
  CHECK(d.eos_id() == 0);
  {
    std::ofstream out(path);
    out << R"({"kind": "hf", "pieces": ["a", "b"], "bytes": ["61"]})";
  }
  CHECK_THROWS_WITH(Detokenizer::from_json_file(path.string()), Catch::Contains("\"bytes\" has 1 entries for 2 pieces"));
  std::filesystem::remove(path);
}

TEST_CASE("log-probs of masked tokens and mean hidden states, batched as alone", "[generate]") {
  Llama model = peaked_model(14);
  const std::vector<std::vector<int64_t>> seqs = {{1, 5, 9, 3, 7}, {1, 4, 6}};
  const std::vector<std::vector<int64_t>> masks = {{0, 0, 1, 1, 1}, {0, 1, 0}};
  const auto r = sequence_logprobs(model, seqs, masks);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const auto logits = model->forward(torch::tensor(seqs[i], torch::kInt64).unsqueeze(0))[0];
    double expected = 0;
    int64_t count = 0;
    for (size_t t = 1; t < seqs[i].size(); ++t)
      if (masks[i][t]) {
        expected += torch::log_softmax(logits[static_cast<int64_t>(t) - 1], 0)[seqs[i][t]].item<double>();
        ++count;
      }
    CHECK(r[i].second == count);
    CHECK(r[i].first == Approx(expected).epsilon(1e-5));
  }
  CHECK(r[0].second == 3);

  const auto hs = mean_hidden_states(model, seqs, 1);
  const auto last = mean_hidden_states(model, seqs, -1);
  for (size_t i = 0; i < seqs.size(); ++i) {
    std::vector<torch::Tensor> all;
    model->hidden(torch::tensor(seqs[i], torch::kInt64).unsqueeze(0), AttentionContext{}, &all);
    REQUIRE(all.size() == 3u);
    const auto expected = all[1][0].mean(0);
    REQUIRE(hs[i].size() == 32u);
    for (int64_t k = 0; k < 32; ++k) CHECK(hs[i][static_cast<size_t>(k)] == Approx(expected[k].item<float>()).margin(1e-5));
    const auto final_mean = all[2][0].mean(0);
    CHECK(last[i][0] == Approx(final_mean[0].item<float>()).margin(1e-5));
  }
  CHECK_THROWS_WITH(mean_hidden_states(model, seqs, 3), Catch::Contains("layer 3"));
}

TEST_CASE("the worker verbs read and write the request files", "[generate]") {
  Llama model = peaked_model(15);
  const auto dir = fresh_dir("verbs");
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
  CHECK(summary["n"] == 2);
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
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- CUDA (GPU machines only)
// Hidden ([.]): a default run (CTest, CI) has no GPU and must not count a check that did
// nothing as passed. scripts/build-gpu.sh runs it by its tag, where it fails without CUDA.
TEST_CASE("on CUDA: the model matches the CPU, packs exactly, runs in bf16, decodes with its cache", "[.][cuda]") {
  REQUIRE(torch::cuda::is_available());
  const torch::Device cuda(torch::kCUDA, 0);
  Llama model = peaked_model(16);
  torch::NoGradGuard no_grad;
  const auto ids = torch::tensor(std::vector<int64_t>{1, 5, 9, 3, 7, 2, 11, 4, 8, 8}, torch::kInt64).view({2, 5});
  const auto cpu_logits = model->forward(ids);
  model->to(cuda);
  const auto gpu_logits = model->forward(ids.to(cuda)).to(torch::kCPU);
  CHECK((gpu_logits - cpu_logits).abs().max().item<double>() < 1e-3);

  // Packed block on CUDA (the scaled_dot_product_attention mask path): equals documents apart.
  const auto seg = torch::tensor(std::vector<int64_t>{1, 1, 1, 2, 2, 1, 1, 2, 2, 0}, torch::kInt64).view({2, 5}).to(cuda);
  const auto mask = torch::ones({2, 5}, torch::kInt64).to(cuda);
  const auto packed = causal_lm_loss(model->forward(ids.to(cuda), seg), ids.to(cuda), mask, seg);
  double apart = 0;
  int64_t count = 0;
  const std::vector<std::vector<int64_t>> docs = {{1, 5, 9}, {3, 7}, {2, 11}, {4, 8}};
  for (const auto& d : docs) {
    const auto t = torch::tensor(d, torch::kInt64).unsqueeze(0).to(cuda);
    const auto l = causal_lm_loss(model->forward(t), t, torch::ones_like(t));
    apart += l.sum.item<double>();
    count += l.count;
  }
  CHECK(packed.count == count);
  CHECK(packed.sum.item<double>() == Approx(apart).epsilon(1e-4));

  // KV cache == recompute on CUDA (float32).
  GenerationOptions options;
  options.max_new_tokens = 8;
  const auto cached = generate_batch(model, kPrompts, options);
  options.use_cache = false;
  const auto recomputed = generate_batch(model, kPrompts, options);
  for (size_t i = 0; i < kPrompts.size(); ++i) CHECK(cached[i].ids == recomputed[i].ids);

  // bf16 weights: finite, close to float32 (bf16 has 8 bits of mantissa).
  model->to(torch::kBFloat16);
  const auto bf16_logits = model->forward(ids.to(cuda)).to(torch::kCPU, torch::kFloat32);
  CHECK(torch::isfinite(bf16_logits).all().item<bool>());
  CHECK(((bf16_logits - cpu_logits).abs().max() / cpu_logits.abs().max()).item<double>() < 0.05);
  const auto bf16_loss = causal_lm_loss(model->forward(ids.to(cuda)), ids.to(cuda), torch::ones({2, 5}, torch::kInt64).to(cuda));
  CHECK(bf16_loss.sum.scalar_type() == torch::kFloat32);
  CHECK(generate_batch(model, kPrompts, options)[0].ids.size() == 8u);
}
