#include <catch2/catch.hpp>

#include "runtime/base/prng.h"
#include "runtime/data/test_util.h"
#include "runtime/data/transforms.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;
using nlohmann::json;

namespace {
// A text of n random words from a 2000-word vocabulary.
std::vector<std::string> random_words(SplitMix64& g, int n) {
  std::vector<std::string> w;
  for (int i = 0; i < n; ++i) w.push_back("w" + std::to_string(g.below(2000)));
  return w;
}
std::string join(const std::vector<std::string>& w) {
  std::string s;
  for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
  return s;
}
}  // namespace

TEST_CASE("exact dedup keeps the first of texts equal after normalisation") {
  TempDir dir;
  std::string in = write_records(dir, "in.jsonl",
                                 {make_record("Hello  World", "Hi", "a"), make_record("hello world", "hi", "b"),
                                  make_record("hello world", "hi there", "c"), make_record("HELLO\nWORLD", "HI", "d")});
  DataStats st = apply_transform("dedup", json{{"method", "exact"}}, {in}, dir.file("out.jsonl"), 0);
  CHECK(origins(dir.file("out.jsonl")) == std::vector<std::string>{"a", "c"});
  CHECK(st.removed == 2);
  CHECK(st.details["removed_examples"][0]["origin"] == "b");
  CHECK(st.details["removed_examples"][0]["duplicate_of"] == "a");
  CHECK(st.details["removed_examples"][1]["duplicate_of"] == "a");
}

TEST_CASE("minhash dedup removes planted near-duplicates, keeps the earliest, ignores thread count") {
  TempDir dir;
  SplitMix64 g(11);
  std::vector<Record> rs;
  std::vector<std::string> expect_kept;
  // 60 distinct documents of 200 words; every third gets a near copy (1 word changed,
  // Jaccard of 5-gram sets 191/201 = 0.95, well clear of the 0.85 threshold) placed later, and a loosely related copy (40 words
  // changed, Jaccard about 0.2) that must stay.
  std::vector<std::vector<std::string>> docs;
  for (int i = 0; i < 60; ++i) {
    docs.push_back(random_words(g, 200));
    rs.push_back(make_record(join(docs.back()), "ok", "doc" + std::to_string(i)));
    expect_kept.push_back("doc" + std::to_string(i));
  }
  for (int i = 0; i < 60; i += 3) {
    auto near = docs[i];
    near[100] = "changed";
    rs.push_back(make_record(join(near), "ok", "near" + std::to_string(i)));
    auto far = docs[i];
    for (int k = 0; k < 200; k += 5) far[k] = "x" + std::to_string(k);
    rs.push_back(make_record(join(far), "ok", "far" + std::to_string(i)));
    expect_kept.push_back("far" + std::to_string(i));
  }
  std::string in = write_records(dir, "in.jsonl", rs);
  DataStats one = dedup_records(json{{"method", "minhash"}}, in, dir.file("t1.jsonl"), 1);
  DataStats three = dedup_records(json{{"method", "minhash"}, {"threshold", "17/20"}}, in, dir.file("t3.jsonl"), 3);
  CHECK(origins(dir.file("t1.jsonl")) == expect_kept);
  CHECK(origins(dir.file("t3.jsonl")) == expect_kept);
  CHECK(one.removed == 20);
  CHECK(one.details["removed_examples"][0]["origin"] == "near0");
  CHECK(one.details["removed_examples"][0]["duplicate_of"] == "doc0");
  CHECK(one.details["bands"].get<int>() * one.details["rows"].get<int>() <= 128);
  DataStats estimate = dedup_records(json{{"method", "minhash"}, {"verify", "estimate"}}, in, dir.file("e.jsonl"), 2);
  CHECK(origins(dir.file("e.jsonl")) == expect_kept);
  CHECK(estimate.details["verify"] == "estimate");
}

TEST_CASE("dedup rejects bad parameters") {
  TempDir dir;
  std::string in = write_records(dir, "in.jsonl", {make_record("a", "b")});
  CHECK_THROWS_WITH(apply_transform("dedup", json{{"method", "fuzzy"}}, {in}, dir.file("o.jsonl"), 0),
                    Catch::Contains("method must be"));
  CHECK_THROWS_WITH(apply_transform("dedup", json{{"method", "minhash"}, {"threshold", 2}}, {in}, dir.file("o.jsonl"), 0),
                    Catch::Contains("threshold must be in (0, 1]"));
  CHECK_THROWS_WITH(apply_transform("dedup", json{{"threshold", "0.9"}}, {in}, dir.file("o.jsonl"), 0),
                    Catch::Contains("minhash"));
}
