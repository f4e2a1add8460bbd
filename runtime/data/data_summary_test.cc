#include "runtime/data/data_summary.h"

#include <catch2/catch.hpp>

#include "runtime/data/test_util.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;

TEST_CASE("percentiles use the nearest rank") {
  std::vector<int64_t> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  CHECK(percentile(v, 50) == 50);
  CHECK(percentile(v, 90) == 90);
  CHECK(percentile(v, 99) == 99);
  std::vector<int64_t> one = {7};
  CHECK(percentile(one, 99) == 7);
  std::vector<int64_t> none;
  CHECK(percentile(none, 50) == 0);
}

TEST_CASE("summary counts records, words, characters and sources") {
  TempDir dir;
  Record a = make_record("two words", "and three more", "a");  // 5 words, 9 + 14 characters
  a.source = "alpha";
  Record b = make_record("é", "x", "b");
  b.source = "beta";
  Record c = make_record("q", "r", "c");
  c.source = "alpha";
  DataSummary s = summarize_records(write_records(dir, "r.jsonl", {a, b, c}));
  CHECK(s.records == 3);
  CHECK(s.words == 5 + 2 + 2);
  CHECK(s.chars == 23 + 2 + 2);  // characters of the contents, no separators
  CHECK(s.chars_p50 == 2);
  CHECK(s.chars_p99 == 23);
  CHECK(s.by_source["alpha"] == 2);
  CHECK(s.by_source["beta"] == 1);
  CHECK(s.to_json()["chars_percentiles"]["p90"] == 23);
}
