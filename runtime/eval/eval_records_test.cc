#include "runtime/eval/eval_records.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace sftx::rt;
namespace fs = std::filesystem;

TEST_CASE("eval records: read with origins, bad lines name PATH:LINE", "[evaluate]") {
  fs::path dir = fs::temp_directory_path() / "sftx-eval-records-test";
  fs::create_directories(dir);
  fs::path p = dir / "r.jsonl";
  std::ofstream(p) << R"({"messages": [{"role": "user", "content": "hi"}], "meta": {"answer": "4"}})" << "\n"
                   << R"({"messages": "nope"})" << "\n";
  CHECK_THROWS_WITH(load_eval_records(p.string()), Catch::Contains(p.string() + ":2: not a record"));
  std::ofstream(p) << R"({"messages": [{"role": "user", "content": "hi"}], "meta": {"answer": "4"}})" << "\n";
  auto rs = load_eval_records(p.string());
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].meta["answer"] == "4");
  CHECK(rs[0].origin == p.string() + ":1");
  fs::remove_all(dir);
}
