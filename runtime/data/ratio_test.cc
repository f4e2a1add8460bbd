#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "runtime/api.h"
#include "runtime/data/test_util.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;

namespace {
std::string numbered(const TempDir& dir, const std::string& name, int n, const std::string& prefix = "r") {
  std::vector<Record> rs;
  for (int i = 0; i < n; ++i) rs.push_back(make_record(prefix + std::to_string(i), "a", name + ":" + std::to_string(i + 1)));
  return write_records(dir, name, rs);
}
std::vector<std::string> users(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& r : read_records(path)) out.push_back(r.messages[0].content);
  return out;
}
}  // namespace

TEST_CASE("k <= 1 gives exactly floor(k * |d|) records") {
  TempDir dir;
  std::string d = numbered(dir, "d.jsonl", 1000);
  struct Case {
    int64_t num, den, expect;
  };
  for (Case c : std::vector<Case>{{1, 256, 3}, {1, 4, 250}, {1, 16, 62}, {1, 64, 15}, {1, 1, 1000}, {0, 1, 0}, {999, 1000, 999}}) {
    INFO(c.num << "/" << c.den);
    DataStats st = scale_data(d, {c.num, c.den}, 42, dir.file("out.jsonl"));
    CHECK(st.records == c.expect);
    CHECK(count_records(dir.file("out.jsonl")) == c.expect);
    CHECK(st.removed == 1000 - c.expect);
  }
}

TEST_CASE("k > 1 gives floor(k) full copies plus the fractional part sampled") {
  TempDir dir;
  std::string d = numbered(dir, "d.jsonl", 7);
  DataStats st = scale_data(d, {5, 4}, 1, dir.file("out.jsonl"));  // 7 + floor(7/4) = 8
  CHECK(st.records == 8);
  auto u = users(dir.file("out.jsonl"));
  CHECK(std::vector<std::string>(u.begin(), u.begin() + 7) == users(d));
  CHECK(scale_data(d, {3, 1}, 1, dir.file("out3.jsonl")).records == 21);
  CHECK(scale_data(d, {5, 2}, 1, dir.file("out5.jsonl")).records == 14 + 3);
}

TEST_CASE("subsamples are deterministic per seed, differ across seeds, nest across fractions") {
  TempDir dir;
  std::string d = numbered(dir, "d.jsonl", 500);
  scale_data(d, {1, 4}, 7, dir.file("a.jsonl"));
  scale_data(d, {1, 4}, 7, dir.file("b.jsonl"));
  scale_data(d, {1, 4}, 8, dir.file("c.jsonl"));
  scale_data(d, {1, 16}, 7, dir.file("small.jsonl"));
  auto a = users(dir.file("a.jsonl")), b = users(dir.file("b.jsonl")), c = users(dir.file("c.jsonl"));
  CHECK(a == b);
  CHECK(a != c);
  std::set<std::string> big(a.begin(), a.end());
  CHECK(big.size() == a.size());  // no record twice
  for (const auto& u : users(dir.file("small.jsonl"))) CHECK(big.count(u) == 1);
}

TEST_CASE("a negative or malformed ratio is an error") {
  TempDir dir;
  std::string d = numbered(dir, "d.jsonl", 3);
  CHECK_THROWS_AS(scale_data(d, {-1, 2}, 0, dir.file("o.jsonl")), DataError);
  CHECK_THROWS_AS(scale_data(d, {1, 0}, 0, dir.file("o.jsonl")), DataError);
}

TEST_CASE("mix keeps every record once, shuffled by the seed") {
  TempDir dir;
  std::string a = numbered(dir, "a.jsonl", 50, "a");
  std::string b = numbered(dir, "b.jsonl", 30, "b");
  DataStats st = mix_data({a, b}, 3, dir.file("m1.jsonl"));
  mix_data({a, b}, 3, dir.file("m2.jsonl"));
  mix_data({a, b}, 4, dir.file("m3.jsonl"));
  CHECK(st.records == 80);
  auto m1 = users(dir.file("m1.jsonl"));
  CHECK(m1 == users(dir.file("m2.jsonl")));
  CHECK(m1 != users(dir.file("m3.jsonl")));
  auto sorted = m1;
  std::sort(sorted.begin(), sorted.end());
  auto expect = users(a);
  for (auto& u : users(b)) expect.push_back(u);
  std::sort(expect.begin(), expect.end());
  CHECK(sorted == expect);
  auto first = std::vector<std::string>(m1.begin(), m1.begin() + 50);
  CHECK(first != users(a));  // actually shuffled, not concatenated
  CHECK(mix_data({}, 1, dir.file("empty.jsonl")).records == 0);
}
