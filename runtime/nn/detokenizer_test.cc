#include "runtime/nn/detokenizer.h"
#include "tests/test_support.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("the detokenizer renders SentencePiece pieces", "[detokenizer]") {
  const Detokenizer d({"<unk>", "<s>", "</s>", "\xE2\x96\x81Hello", ",", "\xE2\x96\x81w", "orld", "<0xC3>", "<0xA9>",
                       "\xE2\x96\x81" "caf"},
                      {"unknown", "control", "control", "normal", "normal", "normal", "normal", "byte", "byte", "normal"});
  CHECK(d.decode({1, 3, 4, 5, 6, 2}) == "Hello, world");
  CHECK(d.decode({9, 7, 8}) == "caf\xC3\xA9");  // café through byte fallback
  CHECK(d.decode({5, 0}) == "w \xE2\x81\x87 ");
  CHECK(d.eos_id() == 2);
  const Detokenizer guessed({"<unk>", "<s>", "</s>", "<0x41>", "a\xE2\x96\x81"});
  CHECK(guessed.decode({1, 3, 4, 2}) == "Aa ");
}

TEST_CASE("the detokenizer of a tokenizer.json vocabulary joins each token's own bytes", "[detokenizer]") {
  // As Tokenizer::pieces_json() writes it for a byte-level BPE: "Ġ" pieces decode to spaces
  // through "bytes", special tokens are skipped, and no leading space is dropped.
  sftx::testing::TempDir dir("sftx-hf-vocab");
  const std::string path = dir.write("vocab.json", R"({"kind": "hf", "pieces": ["<|eot|>", "Hello", "Ġworld", "Ã", "©"],
              "types": ["control", "normal", "normal", "normal", "normal"],
              "bytes": ["3c7c656f747c3e", "48656c6c6f", "20776f726c64", "c3", "a9"],
              "eos_id": 0, "strip_leading_space": false})");
  const Detokenizer d = Detokenizer::from_json_file(path);
  CHECK(d.decode({1, 2, 0}) == "Hello world");
  CHECK(d.decode({2, 3, 4}) == " world\xC3\xA9");
  CHECK(d.eos_id() == 0);
  dir.write("vocab.json", R"({"kind": "hf", "pieces": ["a", "b"], "bytes": ["61"]})");
  CHECK_THROWS_WITH(Detokenizer::from_json_file(path), Catch::Contains("\"bytes\" has 1 entries for 2 pieces"));
}
