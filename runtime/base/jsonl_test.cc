#include "runtime/base/jsonl.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/test_support.h"

using namespace sftx::rt;

TEST_CASE("jsonl: round trip, blank lines skipped, errors carry PATH:LINE", "[jsonl]") {
  sftx::testing::TempDir tmp("sftx-base-jsonl");
  const auto& dir = tmp.path();
  std::string path = (dir / "a.jsonl").string();
  write_jsonl(path, {{{"a", 1}}, {{"b", "x"}}});
  auto rows = read_jsonl_objects(path);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].value["b"] == "x");
  CHECK(rows[1].line == 2);
  CHECK(sftx::testing::entries_in(dir) == 1);  // no temporary left beside it

  std::ofstream(path) << "{\"a\": 1}\n\n[1]\n";
  try {
    read_jsonl_objects(path);
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == path + ":3: expected a JSON object");
  }
  CHECK_THROWS_WITH(read_jsonl_objects((dir / "missing.jsonl").string()), Catch::Contains("cannot open"));
}
