#include "runtime/data/json_array_reader.h"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include "runtime/data/data_error.h"
#include "runtime/data/test_util.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;

namespace {
std::vector<std::pair<std::string, int64_t>> read_all(const std::string& path, size_t chunk = 7) {
  JsonArrayReader r(path, chunk);
  std::vector<std::pair<std::string, int64_t>> out;
  std::string e;
  int64_t line = 0;
  while (r.next(e, line)) out.emplace_back(e, line);
  return out;
}
}  // namespace

TEST_CASE("elements come out whole, with their starting line, across tiny chunks") {
  TempDir dir;
  std::string p = dir.write("a.json", "[\n  {\"a\": \"x],{\\\"\"},\n  {\"b\": [1, 2,\n 3]}, 5, \"s\", null\n]\n");
  auto got = read_all(p);
  REQUIRE(got.size() == 5);
  CHECK(nlohmann::json::parse(got[0].first)["a"] == "x],{\"");
  CHECK(got[0].second == 2);
  CHECK(nlohmann::json::parse(got[1].first)["b"].size() == 3);
  CHECK(got[1].second == 3);
  CHECK(got[2].first == "5");
  CHECK(got[3].first == "\"s\"");
  CHECK(got[4].first == "null");
}

TEST_CASE("an empty array has no elements") {
  TempDir dir;
  CHECK(read_all(dir.write("e.json", " [ ] ")).empty());
}

TEST_CASE("a file larger than the buffer is read with bounded memory") {
  // 2000 elements of ~100 bytes: a ~200 KB file read through a 4 KB buffer. The peak held
  // must stay near buffer + one element, far below the file size.
  TempDir dir;
  std::string text = "[";
  for (int i = 0; i < 2000; ++i) {
    if (i) text += ",\n";
    text += nlohmann::json{{"text", std::string(80, 'a' + i % 26)}, {"i", i}}.dump();
  }
  text += "]";
  std::string p = dir.write("big.json", text);
  JsonArrayReader r(p, 4096);
  std::string e;
  int64_t line = 0, n = 0;
  while (r.next(e, line)) {
    REQUIRE(nlohmann::json::parse(e)["i"] == n);
    ++n;
  }
  CHECK(n == 2000);
  CHECK(line == 2000);
  CHECK(r.peak_bytes() <= 4096 + 200);
  CHECK(text.size() > 40 * r.peak_bytes());
}

TEST_CASE("malformed containers fail with the line") {
  TempDir dir;
  auto message = [&](const std::string& text) {
    std::string p = dir.write("m.json", text);
    try {
      read_all(p);
    } catch (const DataError& e) {
      return std::string(e.what()).substr(p.size());
    }
    return std::string("no error");
  };
  CHECK(message("{\"a\": 1}") == ":1: expected a JSON array ('[') (container json)");
  CHECK(message("[\n{\"a\": 1}\n{\"b\": 2}]") == ":3: expected ',' or ']' after an array element");
  CHECK(message("[\n{\"a\": 1},\n{\"b\": 2") == ":3: unterminated JSON array (end of file inside an element)");
  CHECK(message("[1, 2] x") == ":1: unexpected text after the closing ']' of the JSON array");
}

TEST_CASE("an element longer than the bound fails naming the file, its line and its index") {
  // Without the bound, a file that is one 200 MB element was held whole and its parse error
  // quoted it; the JSONL reader has had kMaxLineBytes for the same reason.
  TempDir dir;
  std::string big = nlohmann::json{{"text", std::string(150, 'x')}}.dump();
  std::string p = dir.write("big.json", "[{\"a\": 1},\n\n " + big + ", 3]");
  JsonArrayReader r(p, 7, 100);
  std::string e;
  int64_t line = 0;
  REQUIRE(r.next(e, line));
  CHECK(e == "{\"a\": 1}");
  try {
    r.next(e, line);
    FAIL("no error for a 160-byte element with a 100-byte bound");
  } catch (const DataError& err) {
    CHECK(std::string(err.what()) ==
          p + ":3: array element 1 (0-based) is longer than 100 bytes (a record this large is not a training example)");
  }
  CHECK(r.peak_bytes() < 100 + 7 + 8);  // it stopped at the bound, not at the element's end

  // Elements up to the bound itself still read.
  JsonArrayReader exact(dir.write("exact.json", "[" + big + "]"), 7, big.size());
  REQUIRE(exact.next(e, line));
  CHECK(e == big);
}
