#include "runtime/base/jsonl.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <system_error>

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

TEST_CASE("jsonl: a full disk is a system_error with its reason, and nothing is left behind", "[jsonl][disk_full]") {
  // The temporary (PATH.tmp-HOST-PID) is made a link to /dev/full, whose writes fail with ENOSPC: a real full-disk
  // write without a small file system. Before, the error said only "cannot write" (exit 1
  // from `sftx score`, as if the input were wrong) and the link stayed.
  auto dir = std::filesystem::temp_directory_path() / "sftx-eval-jsonl-full-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string path = (dir / "results.jsonl").string();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string tmp = path + ".tmp-" + host + "-" + std::to_string(::getpid());
  std::filesystem::create_symlink("/dev/full", tmp);
  try {
    write_jsonl(path, {{{"a", std::string(100000, 'x')}}});
    FAIL("no error writing to a full disk");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == ENOSPC);
    CHECK(std::string(e.what()) == path + ": cannot write: No space left on device");
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(std::filesystem::symlink_status(tmp)));
  std::filesystem::remove_all(dir);
}

TEST_CASE("jsonl: a line nested too deeply is PATH:LINE, not a stack overflow", "[jsonl]") {
  auto dir = std::filesystem::temp_directory_path() / "sftx-eval-jsonl-deep-test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "deep.jsonl").string();
  std::ofstream(path) << "{\"a\": 1}\n{\"a\": " << std::string(200000, '[') << std::string(200000, ']') << "}\n";
  CHECK_THROWS_WITH(read_jsonl_objects(path), path + ":2: JSON nested deeper than 128 levels");
  std::filesystem::remove_all(dir);
}

TEST_CASE("jsonl: a number too large for a double is PATH:LINE, not a library exception", "[jsonl]") {
  auto dir = std::filesystem::temp_directory_path() / "sftx-eval-jsonl-overflow-test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "big.jsonl").string();
  std::ofstream(path) << "{\"a\": 1e999}\n";
  CHECK_THROWS_AS(read_jsonl_objects(path), std::runtime_error);
  CHECK_THROWS_WITH(read_jsonl_objects(path), Catch::StartsWith(path + ":1: not valid JSON: "));
  std::filesystem::remove_all(dir);
}
