#include "runtime/tokenizer/train_tokenizer.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "runtime/tokenizer/test_corpus.h"
#include "runtime/tokenizer/tokenizer.h"

using namespace sftx::rt;

namespace {
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("tokenizer training is reproducible byte for byte", "[tokenizer][train]") {
  const auto dir = testing::scratch_dir("determinism");
  const std::string corpus = testing::write_corpus(dir);
  TokenizerSpec spec;
  spec.vocab_size = 400;
  spec.seed = 7;
  build_tokenizer(spec, {corpus}, (dir / "a.model").string());
  build_tokenizer(spec, {corpus}, (dir / "b.model").string());
  const std::string a = slurp((dir / "a.model").string());
  CHECK(a.size() > 1000);
  CHECK(a == slurp((dir / "b.model").string()));
  for (const auto& e : std::filesystem::directory_iterator(dir))  // no temporary left behind
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("the trained vocabulary reflects the corpus", "[tokenizer][train]") {
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  // Frequent corpus words become single pieces.
  for (const char* w : {"Tom", "apples", "return", "total"}) CHECK(tok.encode(w).size() == 1);
  // unigram works too and gives another model
  const auto dir = testing::scratch_dir("unigram");
  const std::string corpus = testing::write_corpus(dir);
  TokenizerSpec spec;
  spec.vocab_size = 400;
  spec.model_type = "unigram";
  build_tokenizer(spec, {corpus}, (dir / "u.model").string());
  const Tokenizer uni = Tokenizer::load((dir / "u.model").string());
  CHECK(uni.vocab_size() == 400);
  CHECK(uni.decode(uni.encode("Tom has 5 apples.")) == "Tom has 5 apples.");
}

TEST_CASE("build_tokenizer copies a given model file after checking it", "[tokenizer][train]") {
  const auto dir = testing::scratch_dir("copy");
  TokenizerSpec spec;
  spec.model_file = testing::shared_model_path();
  build_tokenizer(spec, {}, (dir / "copy.model").string());
  CHECK(slurp((dir / "copy.model").string()) == slurp(testing::shared_model_path()));
  spec.model_file = (dir / "nope.model").string();
  CHECK_THROWS_WITH(build_tokenizer(spec, {}, (dir / "x.model").string()), Catch::Contains("nope.model"));
}

TEST_CASE("tokenizer training reports bad input with its line", "[tokenizer][train]") {
  const auto dir = testing::scratch_dir("bad_input");
  const std::string p = (dir / "bad.jsonl").string();
  std::ofstream(p) << "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n{oops\n";
  TokenizerSpec spec;
  spec.vocab_size = 300;
  CHECK_THROWS_WITH(build_tokenizer(spec, {p}, (dir / "m.model").string()), Catch::Contains(p + ":2:"));
  const std::string empty = (dir / "empty.jsonl").string();
  std::ofstream(empty) << "\n";
  CHECK_THROWS_WITH(build_tokenizer(spec, {empty}, (dir / "m.model").string()), Catch::Contains("no text"));
  spec.model_type = "wordpiece";
  CHECK_THROWS_WITH(build_tokenizer(spec, {p}, (dir / "m.model").string()), Catch::Contains("bpe or unigram"));
}
