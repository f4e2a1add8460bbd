#include "runtime/tokenizer/hf_tokenizer.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "runtime/tokenizer/hf_regex.h"
#include "runtime/tokenizer/hf_split.h"
#include "runtime/tokenizer/hf_text.h"
#include "runtime/tokenizer/tokenizer.h"

using namespace sftx::rt;
using nlohmann::json;

namespace {
// Hand-built files: byte-level BPE with the Llama-3 Split regex and ignore_merges; Llama-2's
// SentencePiece-style BPE (Prepend + Replace normalizer, byte_fallback, ByteFallback/Fuse/Strip).
// Expected ids below were worked out by hand from their merges (and agree with tokenizers 0.23.3).
std::string data_path(const std::string& name) { return std::string(SFTX_SOURCE_DIR) + "/tests/data/hf_tokenizers/" + name; }
std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
using Ids = std::vector<int32_t>;
}  // namespace

TEST_CASE("byte-level BPE: Split regex, ByteLevel bytes, ignore_merges, added tokens, template", "[hf_tokenizer]") {
  const HfTokenizer t = HfTokenizer::parse(read(data_path("byte_level_bpe.json")), "byte_level_bpe.json");
  CHECK(t.vocab_size() == 262);
  CHECK(t.encode("the the", false) == Ids{259, 258});  // "the" whole (ignore_merges), "Ġthe" by merges
  CHECK(t.encode("The12 345", false) == Ids{84, 257, 260, 32, 51, 52, 53});  // digits in threes, "12" merged
  CHECK(t.encode("a<|endoftext|>b", false) == Ids{97, 261, 98});
  CHECK(t.encode("  x\n\n", false) == Ids{32, 32, 120, 10, 10});
  CHECK(t.encode("\xC3\xA9", false) == Ids{195, 169});  // é as its two bytes
  CHECK(t.encode("the", true) == Ids{261, 259});        // TemplateProcessing: <|endoftext|> $A
  CHECK(t.decode({261, 97, 32, 195, 169}, true) == "a \xC3\xA9");
  CHECK(t.decode({261, 97}, false) == "<|endoftext|>a");
  CHECK(t.decode({195}, true) == "\xEF\xBF\xBD");  // half a character: U+FFFD, as from_utf8_lossy
  CHECK(t.token_bytes(258) == " the");
  CHECK(t.bos_id() == 261);
  CHECK_THROWS_WITH(t.encode("\xFF", false), Catch::Contains("not valid UTF-8"));
}

TEST_CASE("SentencePiece-style BPE: dummy prefix, byte fallback, continuation, decode strip", "[hf_tokenizer]") {
  const HfTokenizer t = HfTokenizer::parse(read(data_path("sentencepiece_bpe.json")), "sentencepiece_bpe.json");
  CHECK(t.encode("hello", false) == Ids{273});                              // "▁hello"
  CHECK(t.encode("hello world", false) == Ids{273, 259, 264, 263, 265, 262, 266});
  CHECK(t.encode("h\xC3\xA9llo", false) == Ids{268, 267, 262, 274});         // é is in the vocabulary
  CHECK(t.encode("hello \xE2\x9C\x93", false) == Ids{273, 259, 229, 159, 150});  // ✓ by its bytes <0xE2>...
  CHECK(t.encode("<s>hello", false) == Ids{1, 273});  // the normalizer prepends "▁" to every piece
  CHECK(t.encode("hello", true) == Ids{1, 273});
  CHECK(t.encode("hello", false, /*continuation=*/true) == Ids{271, 263});  // "hell" "o": no "▁"
  CHECK(t.decode({1, 273, 259, 229, 159, 150}, true) == "hello \xE2\x9C\x93");
  CHECK(t.decode({1, 273}, false) == "<s> hello");  // Strip removes one leading space only
  CHECK(t.decode({229, 159}, true) == "\xEF\xBF\xBD\xEF\xBF\xBD");  // an incomplete byte run: one U+FFFD per byte
  CHECK(t.bos_id() == 1);
  CHECK(t.eos_id() == 2);
  CHECK(t.unk_id() == 0);
  CHECK(t.token_bytes(229) == "\xE2");
  CHECK(t.token_bytes(273) == " hello");
  CHECK(t.decode_strips_leading_space());
}

TEST_CASE("Tokenizer serves tokenizer.json callers: load by content, segments, pieces for the worker", "[hf_tokenizer]") {
  const Tokenizer tok = Tokenizer::load(data_path("sentencepiece_bpe.json"));
  REQUIRE(tok.hf() != nullptr);
  CHECK(tok.vocab_size() == 275);
  CHECK(tok.encode("hello") == Ids{273});
  CHECK(tok.encode_continuation("hello") == Ids{271, 263});
  CHECK(tok.decode({1, 273, 2}) == "hello");  // special tokens dropped, as SentencePiece's control pieces
  const std::vector<TemplateSegment> segs = {{"<s>", false, true}, {"hello", false, false}, {" hello", true, false},
                                             {"</s>", true, true}};
  const EncodedDocument doc = tok.encode_segments(segs);
  // The first text segment starts the document ("▁hello"), later ones continue it (" hello").
  CHECK(doc.ids == Ids{1, 273, 273, 2});
  CHECK(doc.loss_mask == std::vector<uint8_t>{0, 0, 1, 1});
  CHECK(tok.encode_segments({{"hello", false, false}, {"hello", true, false}}).ids == Ids{273, 271, 263});
  // After an added token, text is encoded as `tokenizers` encodes "hello</s>hello" whole: this
  // Llama-2 style file's Prepend normalizer runs on each piece between added tokens, so the
  // second "hello" gets its "▁" again (FastChat's vicuna training data has "</s>▁USER").
  const auto whole = tok.hf()->encode("hello</s>hello", false);
  CHECK(whole == Ids{273, 2, 273});
  CHECK(tok.encode_segments({{"hello", false, false}, {"</s>", true, true}, {"hello", false, false}}).ids == whole);
  const json pieces = tok.pieces_json();
  CHECK(pieces["kind"] == "hf");
  CHECK(pieces["types"][1] == "control");
  CHECK(pieces["types"][229] == "byte");
  CHECK(pieces["bytes"][273] == "2068656c6c6f");  // " hello"
  CHECK(pieces["strip_leading_space"] == true);
  // What build_tokenizer copies into the cache loads back the same.
  const Tokenizer again = Tokenizer::from_serialized(tok.serialized_model(), "copy");
  CHECK(again.encode("hello world") == tok.encode("hello world"));
}

namespace {
// The error parse() raises for the byte-level file after `patch`.
std::string refusal(const std::function<void(json&)>& patch, const std::string& file = "byte_level_bpe.json") {
  json j = json::parse(read(data_path(file)));
  patch(j);
  try {
    HfTokenizer::parse(j.dump(), "dir/tokenizer.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(accepted)";
}
}  // namespace

TEST_CASE("unsupported or malformed tokenizer.json is refused with the file, JSON path and what", "[hf_tokenizer][refuse]") {
  using Catch::Contains;
  using Catch::StartsWith;
  CHECK_THAT(refusal([](json& j) { j["model"]["type"] = "WordPiece"; }),
             StartsWith("dir/tokenizer.json: $.model.type: unsupported model \"WordPiece\""));
  CHECK_THAT(refusal([](json& j) { j["model"]["type"] = "Unigram"; }), Contains("$.model.type: unsupported model \"Unigram\""));
  CHECK_THAT(refusal([](json& j) { j["model"].erase("merges"); }), Contains("$.model.merges: missing"));
  CHECK_THAT(refusal([](json& j) { j["model"]["merges"][0] = json::array({"Ġ", "zz"}); }),
             Contains("$.model.merges[0]: \"zz\" is not in the vocabulary"));
  CHECK_THAT(refusal([](json& j) { j["model"]["merges"][1] = "h e x"; }), Contains("$.model.merges[1]: expected \"left right\""));
  CHECK_THAT(refusal([](json& j) { j["model"]["dropout"] = 0.1; }), Contains("$.model.dropout: unsupported: 0.1"));
  CHECK_THAT(refusal([](json& j) { j["pre_tokenizer"]["pretokenizers"][1] = {{"type", "Whitespace"}}; }),
             Contains("$.pre_tokenizer.pretokenizers[1].type: unsupported pre-tokenizer \"Whitespace\""));
  CHECK_THAT(refusal([](json& j) { j["pre_tokenizer"]["pretokenizers"][0]["pattern"] = {{"Regex", "(unclosed"}}; }),
             Contains("$.pre_tokenizer.pretokenizers[0].pattern: regex does not compile"));
  CHECK_THAT(refusal([](json& j) { j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Sideways"; }),
             Contains("$.pre_tokenizer.pretokenizers[0].behavior: unknown split behavior \"Sideways\""));
  CHECK_THAT(refusal([](json& j) { j["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "Lowercase"}}}}}; }),
             Contains("$.normalizer.normalizers[0].type: unsupported normalizer \"Lowercase\""));
  CHECK_THAT(refusal([](json& j) { j["normalizer"] = {{"type", "NFKC"}}; }), Contains("$.normalizer.type: unsupported normalizer \"NFKC\""));
  CHECK_THAT(refusal([](json& j) { j["decoder"] = {{"type", "WordPiece"}}; }), Contains("$.decoder.type: unsupported decoder \"WordPiece\""));
  CHECK_THAT(refusal([](json& j) { j["post_processor"] = {{"type", "RobertaProcessing"}}; }),
             Contains("$.post_processor.type: unsupported post-processor \"RobertaProcessing\""));
  CHECK_THAT(refusal([](json& j) { j["truncation"] = {{"max_length", 8}}; }), Contains("$.truncation: unsupported"));
  CHECK_THAT(refusal([](json& j) { j["added_tokens"][0]["single_word"] = true; }),
             Contains("$.added_tokens[0].single_word: unsupported"));
  CHECK_THAT(refusal([](json& j) { j["added_tokens"][0]["id"] = 300; }),
             Contains("$.added_tokens[0].id: tokenizers gives \"<|endoftext|>\" the id 261"));
  CHECK_THAT(refusal([](json& j) { j["model"]["unk_token"] = "<nope>"; }), Contains("$.model.unk_token: \"<nope>\" is not in the vocabulary"));
  CHECK_THAT(refusal([](json& j) { j.erase("model"); }), Contains("$.model: missing"));
  CHECK_THAT(refusal([](json& j) { j["pre_tokenizer"]["pretokenizers"][1]["use_regex"] = "yes"; }),
             Contains("$.pre_tokenizer.pretokenizers[1].use_regex: unexpected string"));
  // Through Tokenizer::load too: the refusal names the file on disk.
  CHECK_THROWS_WITH(Tokenizer::from_serialized("{\"model\": {\"type\": \"WordLevel\"}}", "x/tokenizer.json"),
                    Contains("x/tokenizer.json: $.model.type: unsupported model \"WordLevel\""));
}

TEST_CASE("split behaviours follow NormalizedString::split", "[hf_tokenizer]") {
  const hf::Regex dash("-");
  auto texts = [&](hf::SplitBehavior b, bool invert = false) {
    std::vector<std::string> out;
    hf::Piece p{"a-b--c", true, 0};
    for (const auto& piece : hf::split_piece(p, dash.find_all(p.text), b, invert)) out.push_back(piece.text);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(texts(hf::SplitBehavior::removed) == V{"a", "b", "c"});
  CHECK(texts(hf::SplitBehavior::isolated) == V{"a", "-", "b", "-", "-", "c"});
  CHECK(texts(hf::SplitBehavior::merged_with_previous) == V{"a-", "b-", "-", "c"});
  CHECK(texts(hf::SplitBehavior::merged_with_next) == V{"a", "-b", "-", "-c"});
  CHECK(texts(hf::SplitBehavior::contiguous) == V{"a", "-", "b", "--", "c"});
  CHECK(texts(hf::SplitBehavior::removed, true) == V{"-", "-", "-"});  // each match is its own range
}

TEST_CASE("text helpers match Rust and Oniguruma", "[hf_tokenizer]") {
  CHECK(hf::utf8_lossy("a\xF0\x9F\x98" "b") == "a\xEF\xBF\xBD" "b");          // one U+FFFD for a truncated sequence
  CHECK(hf::utf8_lossy("\xE2\x28\xA1") == "\xEF\xBF\xBD(\xEF\xBF\xBD");       // per maximal subpart
  CHECK(hf::utf8_lossy("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate: three
  CHECK(hf::nfc("e\xCC\x81") == "\xC3\xA9");
  CHECK(hf::byte_level_char(' ') == "\xC4\xA0");  // Ġ
  // \s is White_Space: U+180E is not, U+0085 is.
  const hf::Regex ws("\\s+");
  CHECK(ws.find_all("a\xE1\xA0\x8E" "b").empty());
  CHECK(ws.find_all("a\xC2\x85" "b").size() == 1);
  CHECK(hf::Regex(hf::regex_quote("a\\Eb")).find_all("xa\\Eby").size() == 1);
}

TEST_CASE("a hostile tokenizer.json: deep nesting and control bytes give a bounded, safe refusal", "[hf_tokenizer][refuse]") {
  // 200,000 nested arrays overflowed the stack when the parsed value was copied or dumped.
  CHECK_THROWS_WITH(HfTokenizer::parse("{\"model\": " + std::string(200000, '[') + "}", "t.json"),
                    "t.json: JSON nested deeper than 128 levels");
  // The parser's message quotes the bytes it stopped at; a refusal quotes keys and values.
  try {
    HfTokenizer::parse("{\"model\": \x1b[2J\xff}", "t.json");
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::StartsWith("t.json: invalid JSON: "));
    CHECK(what.find('\x1b') == std::string::npos);
    CHECK(what.find('\xff') == std::string::npos);
  }
  json j = {{"model", {{"type", std::string("Word\x07" "Piece") + std::string(100000, 'x')}}}};
  try {
    HfTokenizer::parse(j.dump(), "t.json");
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::StartsWith("t.json: $.model.type: unsupported model \"Word\\x07Piece"));
    CHECK(what.size() <= 2048);
  }
}

TEST_CASE("a byte-fallback piece that is not hex stays text (found by data_reader_fuzz)", "[hf_tokenizer]") {
  // The crash input renamed one <0x..> piece to <0xZZ>: token_bytes threw std::invalid_argument
  // ("stoi") out of the reader. tokenizers' ByteFallback decoder keeps such a piece as written.
  json j = json::parse(read(data_path("sentencepiece_bpe.json")));
  auto& vocab = j["model"]["vocab"];
  const int32_t id = vocab["<0x41>"].get<int32_t>();
  vocab.erase("<0x41>");
  vocab["<0xZZ>"] = id;
  const HfTokenizer t = HfTokenizer::parse(j.dump(), "renamed.json");
  CHECK(t.token_bytes(id) == "<0xZZ>");
  CHECK(t.token_bytes(vocab["<0x42>"].get<int32_t>()) == "B");  // a real byte piece is still its byte
}

TEST_CASE("a template naming an id that is no token is refused (found by data_reader_fuzz)", "[hf_tokenizer]") {
  // The crash input dropped <|endoftext|> from added_tokens while the TemplateProcessing still
  // named its id: encode(..., true) returned an id outside the vocabulary.
  json j = json::parse(read(data_path("byte_level_bpe.json")));
  j["added_tokens"] = json::array();
  CHECK_THROWS_WITH(HfTokenizer::parse(j.dump(), "no_added.json"),
                    Catch::Contains("post_processor") && Catch::Contains("special token id 261"));
}
