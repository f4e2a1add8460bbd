#include <catch2/catch.hpp>

#include "runtime/data/test_util.h"
#include "runtime/data/transforms.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;
using nlohmann::json;

TEST_CASE("decontaminate removes n-gram overlaps and normalised copies, and says why") {
  TempDir dir;
  std::string bench = write_records(
      dir, "bench.jsonl",
      {make_record("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
                   "72", "gsm8k_test:1"),
       make_record("Say hi", "hi", "ifeval_test:1")});
  std::string train = write_records(
      dir, "train.jsonl",
      {make_record("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
                   "How many clips did she sell?",
                   "She sold 72.", "t:1"),
       make_record("Tell me about clips and friends in April", "Sure.", "t:2"),
       make_record("  SAY   hi ", "Hello!", "t:3"),
       make_record("Natalia sold clips to 48 of her friends", "ok", "t:4")});
  DataStats st = apply_transform("decontaminate", json::object(), {train, bench}, dir.file("out.jsonl"), 0);
  auto kept = read_records(dir.file("out.jsonl"));
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].origin == "t:2");
  CHECK(kept[1].origin == "t:4");  // only 8 words shared: below 13
  CHECK(st.removed == 2);
  const auto& ex = st.details["removed_examples"];
  CHECK(ex[0]["origin"] == "t:1");
  CHECK(ex[0]["reason"] == "13-gram overlap");
  CHECK(ex[0]["benchmark"] == "gsm8k_test:1");
  CHECK(ex[0]["ngram"] == "natalia sold clips to 48 of her friends in april and then she");
  CHECK(ex[1]["origin"] == "t:3");
  CHECK(ex[1]["reason"] == "equal after normalisation");
  CHECK(ex[1]["benchmark"] == "ifeval_test:1");

  DataStats eight = apply_transform("decontaminate", json{{"ngram", 8}}, {train, bench}, dir.file("o8.jsonl"), 0);
  CHECK(eight.removed == 3);
  CHECK_THROWS_WITH(apply_transform("decontaminate", json::object(), {train}, dir.file("x.jsonl"), 0),
                    Catch::Contains("expected at least 2 data input"));
}
