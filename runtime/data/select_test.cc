#include <set>

#include <catch2/catch.hpp>

#include "runtime/data/test_util.h"
#include "runtime/data/transforms.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;
using nlohmann::json;

namespace {
std::string hundred(const TempDir& dir) {
  std::vector<Record> rs;
  for (int i = 0; i < 100; ++i) rs.push_back(make_record("q" + std::to_string(i), "a", std::to_string(i)));
  return write_records(dir, "in.jsonl", rs);
}
}  // namespace

TEST_CASE("split parts are exact, disjoint, cover the data and are seeded") {
  TempDir dir;
  std::string in = hundred(dir);
  DataStats v = apply_transform("split", json{{"fraction", "1/10"}, {"part", "validation"}}, {in}, dir.file("v.jsonl"), 5);
  DataStats t = apply_transform("split", json{{"fraction", "1/10"}}, {in}, dir.file("t.jsonl"), 5);
  CHECK(v.records == 10);
  CHECK(t.records == 90);
  std::set<std::string> all;
  for (auto& o : origins(dir.file("v.jsonl"))) all.insert(o);
  for (auto& o : origins(dir.file("t.jsonl"))) all.insert(o);
  CHECK(all.size() == 100);
  apply_transform("split", json{{"fraction", "1/10"}, {"part", "validation"}}, {in}, dir.file("v6.jsonl"), 6);
  CHECK(origins(dir.file("v6.jsonl")) != origins(dir.file("v.jsonl")));
  CHECK_THROWS_WITH(apply_transform("split", json{{"fraction", 2}}, {in}, dir.file("x.jsonl"), 5),
                    Catch::Contains("between 0 and 1"));
  CHECK_THROWS_WITH(apply_transform("split", json{{"fraction", "1/2"}, {"part", "test"}}, {in}, dir.file("x.jsonl"), 5),
                    Catch::Contains("\"part\" must be"));
}

TEST_CASE("take keeps the first n, sample a seeded n in order") {
  TempDir dir;
  std::string in = hundred(dir);
  apply_transform("take", json{{"n", 3}}, {in}, dir.file("t.jsonl"), 0);
  CHECK(origins(dir.file("t.jsonl")) == std::vector<std::string>{"0", "1", "2"});
  DataStats s1 = apply_transform("sample", json{{"n", 7}}, {in}, dir.file("s1.jsonl"), 1);
  apply_transform("sample", json{{"n", 7}}, {in}, dir.file("s1b.jsonl"), 1);
  apply_transform("sample", json{{"n", 7}}, {in}, dir.file("s2.jsonl"), 2);
  CHECK(s1.records == 7);
  CHECK(origins(dir.file("s1.jsonl")) == origins(dir.file("s1b.jsonl")));
  CHECK(origins(dir.file("s1.jsonl")) != origins(dir.file("s2.jsonl")));
  DataStats all = apply_transform("sample", json{{"n", 1000}}, {in}, dir.file("all.jsonl"), 1);
  CHECK(all.records == 100);
  CHECK(all.details.contains("note"));
  CHECK(apply_transform("take", json{{"n", 500}}, {in}, dir.file("t5.jsonl"), 0).records == 100);
}
