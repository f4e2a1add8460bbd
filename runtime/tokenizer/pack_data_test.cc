#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "runtime/api.h"
#include "runtime/data/chat_template.h"
#include "runtime/data/data_error.h"
#include "runtime/data/record.h"
#include "runtime/data/shard.h"
#include "runtime/tokenizer/test_corpus.h"
#include "runtime/tokenizer/tokenizer.h"

using namespace sftx::rt;

namespace {
// Cuts each block into its documents: (tokens, mask) per nonzero segment run.
std::vector<EncodedDocument> documents_of(const ShardReader& r) {
  std::vector<EncodedDocument> docs;
  for (uint64_t b = 0; b < r.num_blocks(); ++b) {
    const int32_t* t = r.tokens(b);
    const uint8_t* m = r.loss_mask(b);
    const uint16_t* s = r.segments(b);
    for (uint32_t i = 0; i < r.seq_len(); ++i) {
      if (s[i] == 0) continue;
      if (i == 0 || s[i] != s[i - 1]) docs.emplace_back();
      docs.back().ids.push_back(t[i]);
      docs.back().loss_mask.push_back(m[i]);
    }
  }
  return docs;
}
}  // namespace

TEST_CASE("pack_data writes every record as one whole document with its loss mask", "[pack]") {
  const auto dir = testing::scratch_dir("pack_data");
  const std::string corpus = testing::write_corpus(dir);
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());

  for (bool packed : {true, false}) {
    PackSpec spec;
    spec.tokenizer_model = testing::shared_model_path();
    spec.seq_len = 512;
    spec.packed = packed;
    const std::string shard = (dir / (packed ? "packed.shard" : "padded.shard")).string();
    const PackStats st = pack_data(corpus, spec, shard);
    CHECK(st.records == 600);
    CHECK(st.truncated == 0);
    ShardReader r(shard);
    CHECK(r.num_blocks() == static_cast<uint64_t>(st.blocks));
    CHECK(r.vocab_size() == 400);
    CHECK(r.eos_id() == 2);
    CHECK(r.pad_id() == 3);
    if (packed) CHECK(st.blocks <= 600 / 2);  // at least two documents per block (they are ~200 tokens)
    else CHECK(st.blocks == 600);

    // Each document in the shard equals the template encoding of its record, in order.
    const auto docs = documents_of(r);
    REQUIRE(docs.size() == 600);
    std::ifstream in(corpus);
    std::string line;
    int64_t tokens = 0, loss = 0;
    for (size_t i = 0; std::getline(in, line); ++i) {
      const auto expect = tok.encode_segments(ChatTemplate::get("vicuna").render(record_from_json(nlohmann::json::parse(line)).messages));
      CHECK(docs[i].ids == expect.ids);
      CHECK(docs[i].loss_mask == expect.loss_mask);
      CHECK(docs[i].ids.front() == tok.bos_id());
      CHECK(docs[i].ids.back() == tok.eos_id());
      tokens += static_cast<int64_t>(expect.ids.size());
      for (auto m : expect.loss_mask) loss += m;
    }
    CHECK(st.tokens == tokens);
    CHECK(st.loss_tokens == loss);
  }
}

TEST_CASE("pack_data truncates long documents and names bad lines", "[pack]") {
  const auto dir = testing::scratch_dir("pack_errors");
  const std::string corpus = testing::write_corpus(dir);
  PackSpec spec;
  spec.tokenizer_model = testing::shared_model_path();
  // seq_len: the shortest document's length (rounded up to even), so it fits whole with its
  // answer and every longer one is cut.
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  std::vector<EncodedDocument> encoded;
  {
    std::ifstream in(corpus);
    std::string line;
    while (std::getline(in, line))
      encoded.push_back(tok.encode_segments(ChatTemplate::get("vicuna").render(record_from_json(nlohmann::json::parse(line)).messages)));
  }
  size_t shortest = encoded.front().ids.size();
  for (const auto& d : encoded) shortest = std::min(shortest, d.ids.size());
  spec.seq_len = static_cast<int>((shortest + 1) / 2 * 2);
  const size_t cut = static_cast<size_t>(spec.seq_len);
  int64_t longer = 0, kept = 0, loss = 0, answerless = 0;
  for (const auto& doc : encoded) {
    const size_t n = std::min(doc.ids.size(), cut);
    longer += doc.ids.size() > cut;
    kept += static_cast<int64_t>(n);
    int64_t doc_loss = 0;
    for (size_t i = 0; i < n; ++i) doc_loss += doc.loss_mask[i];
    loss += doc_loss;
    answerless += doc_loss == 0 && doc.ids.size() > cut;
  }
  REQUIRE(longer > 0);
  REQUIRE(loss > 0);
  const PackStats st = pack_data(corpus, spec, (dir / "short.shard").string());
  CHECK(st.truncated == longer);
  CHECK(st.tokens == kept);
  CHECK(st.loss_tokens == loss);
  CHECK(st.answerless == answerless);

  // Cut before every answer: no token to learn from is an input error, and no shard is kept
  // (a stage would otherwise train at loss 0 and be cached).
  spec.seq_len = 16;
  CHECK_THROWS_AS(pack_data(corpus, spec, (dir / "tiny.shard").string()), DataError);
  CHECK_THROWS_WITH(pack_data(corpus, spec, (dir / "tiny.shard").string()),
                    Catch::Contains("600 are cut at seq_len 16 before their first assistant token"));
  CHECK_FALSE(std::filesystem::exists(dir / "tiny.shard"));
  spec.seq_len = static_cast<int>(cut);
  const std::string users = (dir / "users.jsonl").string();
  std::ofstream(users) << "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n";
  CHECK_THROWS_WITH(pack_data(users, spec, (dir / "users.shard").string()),
                    Catch::Contains("none has an assistant message"));

  const std::string bad = (dir / "bad.jsonl").string();
  std::ofstream(bad) << "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n"
                     << "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"system\", \"content\": \"x\"}]}\n";
  CHECK_THROWS_WITH(pack_data(bad, spec, (dir / "bad.shard").string()), Catch::Contains(bad + ":2: message 2"));
  CHECK_FALSE(std::filesystem::exists(dir / "bad.shard"));
  spec.chat_template = "nope";
  CHECK_THROWS_WITH(pack_data(corpus, spec, (dir / "x.shard").string()), Catch::Contains("unknown chat template"));
}

TEST_CASE("pack_data output does not depend on the thread count", "[pack]") {
  const auto dir = testing::scratch_dir("pack_threads");
  const std::string corpus = testing::write_corpus(dir);
  PackSpec spec;
  spec.tokenizer_model = testing::shared_model_path();
  spec.seq_len = 256;
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const char* old = std::getenv("SFTX_THREADS");
  const std::string saved = old ? old : "";
  ::setenv("SFTX_THREADS", "1", 1);
  pack_data(corpus, spec, (dir / "one.shard").string());
  ::setenv("SFTX_THREADS", "3", 1);
  pack_data(corpus, spec, (dir / "three.shard").string());
  if (old) ::setenv("SFTX_THREADS", saved.c_str(), 1);
  else ::unsetenv("SFTX_THREADS");
  CHECK(slurp(dir / "one.shard") == slurp(dir / "three.shard"));
  CHECK(std::filesystem::file_size(dir / "one.shard") > 64);
}

TEST_CASE("pack_data with template \"model\" renders with the checkpoint directory's Jinja template", "[pack][jinja]") {
  const auto dir = testing::scratch_dir("pack_model_template");
  const std::string corpus = testing::write_corpus(dir);
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  // Llama-2-chat's published template with the SentencePiece model's <s> and </s>: control ids.
  std::ifstream src(std::string(SFTX_SOURCE_DIR) + "/tests/data/chat_templates/llama2.jinja");
  const std::string source((std::istreambuf_iterator<char>(src)), {});
  const auto model_dir = dir / "ckpt";
  std::filesystem::create_directories(model_dir);
  std::ofstream(model_dir / "tokenizer_config.json")
      << nlohmann::json{{"bos_token", "<s>"}, {"eos_token", "</s>"}, {"chat_template", source}}.dump();
  PackSpec spec;
  spec.tokenizer_model = testing::shared_model_path();
  spec.seq_len = 512;
  spec.chat_template = "model";
  spec.chat_template_dir = model_dir.string();
  const PackStats st = pack_data(corpus, spec, (dir / "model.shard").string());
  CHECK(st.records == 600);
  const auto docs = documents_of(ShardReader((dir / "model.shard").string()));
  REQUIRE(docs.size() == 600);
  const ChatTemplate jinja = ChatTemplate::from_model_dir(model_dir.string());
  std::ifstream in(corpus);
  std::string line;
  int64_t loss = 0;
  for (size_t i = 0; std::getline(in, line); ++i) {
    const auto messages = record_from_json(nlohmann::json::parse(line)).messages;
    const auto expect = tok.encode_segments(jinja.render(messages));
    CHECK(docs[i].ids == expect.ids);
    CHECK(docs[i].loss_mask == expect.loss_mask);
    // The same tokens as the built-in llama2 (its text equals Llama-2-chat's template).
    CHECK(expect.ids == tok.encode_segments(ChatTemplate::get("llama2").render(messages)).ids);
    CHECK(docs[i].ids.front() == tok.bos_id());
    for (auto m : expect.loss_mask) loss += m;
  }
  CHECK(st.loss_tokens == loss);
  CHECK(loss > 0);
  spec.chat_template_dir = (dir / "nowhere").string();
  CHECK_THROWS_WITH(pack_data(corpus, spec, (dir / "x.shard").string()), Catch::Contains("no chat template"));
}
