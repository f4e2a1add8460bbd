#include "runtime/eval/perplexity.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "runtime/base/jsonl.h"
#include "runtime/tokenizer/test_corpus.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

TEST_CASE("perplexity: exp of the mean negative log-probability per token (hand-computed)", "[perplexity]") {
  fs::path dir = fs::temp_directory_path() / "sftx-perplexity-test";
  fs::create_directories(dir);
  std::string path = (dir / "lp.jsonl").string();
  // Two sequences: 3 tokens with total log-prob -3 ln 2, 1 token with -ln 4 = -2 ln 2.
  write_jsonl(path, {{{"id", "0"}, {"logprob", -3 * std::log(2.0)}, {"tokens", 3}},
                     {{"id", "1"}, {"logprob", -2 * std::log(2.0)}, {"tokens", 1}}});
  auto p = perplexity_from_logprobs(path);
  // nll = 5 ln2 / 4 -> perplexity 2^(5/4)
  CHECK(p["perplexity"].get<double>() == Approx(std::pow(2.0, 1.25)));
  CHECK(p["tokens"] == 4);
  write_jsonl(path, {});
  CHECK_THROWS_WITH(perplexity_from_logprobs(path), Catch::Contains("no scored tokens"));
  fs::remove_all(dir);
}

TEST_CASE("perplexity: sequences carry the template's assistant mask", "[perplexity]") {
  auto tok = Tokenizer::load(sftx::rt::testing::shared_model_path());
  const auto& tmpl = ChatTemplate::get("vicuna");
  Record r;
  r.messages = {{"user", "Tom has 3 apples."}, {"assistant", "He has 3 apples."}};
  Record empty;
  empty.messages = {{"user", "Only a question."}};
  fs::path dir = fs::temp_directory_path() / "sftx-perplexity-seq-test";
  std::string out = (dir / "seq.jsonl").string();
  auto stats = write_logprob_sequences({r, empty}, tok, tmpl, 0, out);
  CHECK(stats["sequences"] == 1);
  CHECK(stats["skipped"] == 1);
  auto rows = read_jsonl_objects(out);
  REQUIRE(rows.size() == 1);
  auto ids = rows[0].value["ids"].get<std::vector<int>>();
  auto mask = rows[0].value["mask"].get<std::vector<int>>();
  REQUIRE(ids.size() == mask.size());
  // The masked tokens decode to the answer and the end-of-turn marker, nothing of the question.
  std::vector<int32_t> answer;
  for (size_t i = 0; i < ids.size(); ++i)
    if (mask[i]) answer.push_back(ids[i]);
  CHECK(answer.back() == tok.eos_id());
  answer.pop_back();
  CHECK(tok.decode(answer).find("He has 3 apples.") != std::string::npos);
  CHECK(tok.decode(answer).find("Tom") == std::string::npos);
  CHECK(stats["tokens"] == static_cast<int64_t>(answer.size() + 1));
  fs::remove_all(dir);
}
