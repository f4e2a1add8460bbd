#include "runtime/eval/jsonl.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace sftx::rt;

TEST_CASE("jsonl: round trip, blank lines skipped, errors carry PATH:LINE", "[jsonl]") {
  auto dir = std::filesystem::temp_directory_path() / "sftx-eval-jsonl-test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "a.jsonl").string();
  write_jsonl(path, {{{"a", 1}}, {{"b", "x"}}});
  auto rows = read_jsonl_objects(path);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].value["b"] == "x");
  CHECK(rows[1].line == 2);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

  std::ofstream(path) << "{\"a\": 1}\n\n[1]\n";
  try {
    read_jsonl_objects(path);
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == path + ":3: expected a JSON object");
  }
  CHECK_THROWS_WITH(read_jsonl_objects((dir / "missing.jsonl").string()), Catch::Contains("cannot open"));
  std::filesystem::remove_all(dir);
}
