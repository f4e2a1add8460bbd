#include "runtime/tokenizer/hf_tokenizer_export.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <set>

#include <sentencepiece_processor.h>

#include "runtime/tokenizer/sp_model_patch.h"
#include "runtime/tokenizer/test_corpus.h"
#include "runtime/tokenizer/train_tokenizer.h"

using namespace sftx::rt;
using nlohmann::json;

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Strings that reach every rule of the conversion: leading, trailing and repeated spaces (the
// dummy prefix is added even before a space), tabs and newlines (byte fallback), digits, words the
// model knows and does not, non-Latin text and emoji (bytes), the user-defined ChatML markers at
// the start, inside and at the end of the text, and random mixtures of all of them. Not U+2581
// ("▁") written in the text: the word cache (tokenizer.cc) cuts text at spaces before
// SentencePiece turns them into "▁", so next to a space such a character is encoded differently
// from SentencePiece's own encoding (and so from the exported file).
std::vector<std::string> varied_strings() {
  std::vector<std::string> out = {"Tom has 17 apples.", " leading space", "  two leading", "trailing  ", "a  b   c",
                                  "\tTabbed\n\nlines\n", "def scaled_sum(xs):\n    return 3\n", "naïve café — 東京 ✓ 🙂",
                                  "<|im_start|>user\nHi<|im_end|>\n", "hello <|im_end|>", "x<|im_start|><|im_end|>y",
                                  " <|im_start|>", "12345 + 678 = 7023", "Sure. When it comes to patience", "a", " ",
                                  "<|im_end", "|im_start|>"};
  const std::vector<std::string> parts = {"Tom", " has", " apples", "  ", " ", "\n", "\t", "<|im_start|>", "<|im_end|>",
                                          "19", "é", "東京", "🙂", "def", "(x)", "ing", "Write", " a", "...", "#### 5"};
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) s += parts[rng() % parts.size()];
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("a SentencePiece BPE model as tokenizer.json encodes and decodes every string as SentencePiece does",
          "[tokenizer][export]") {
  const std::string bytes = read_bytes(testing::shared_model_path());
  Tokenizer sp = Tokenizer::load(testing::shared_model_path());
  Tokenizer sp_plain = Tokenizer::load(testing::shared_model_path());
  sp_plain.disable_word_cache();
  const json tj = sentencepiece_tokenizer_json(bytes, true);
  CHECK(tj["model"]["type"] == "BPE");
  CHECK(tj["model"]["byte_fallback"] == true);
  CHECK(tj["model"]["vocab"].size() == 400);
  CHECK(tj["model"]["vocab"]["<0x0A>"] == sp.encode("\n").back());
  // sftx's own tokenizer.json implementation (checked against the tokenizers package by
  // scripts/peers/tokenizers_parity.py) runs the file; the peers check export_parity.py runs it
  // in transformers.
  const Tokenizer hf = Tokenizer::from_serialized(tj.dump(), "exported tokenizer.json");
  REQUIRE(hf.hf() != nullptr);
  CHECK(hf.vocab_size() == sp.vocab_size());
  CHECK(hf.bos_id() == sp.bos_id());
  CHECK(hf.eos_id() == sp.eos_id());
  int compared = 0, with_markers = 0;
  for (const auto& s : varied_strings()) {
    INFO("string \"" << s << "\"");
    const auto ids = sp_plain.encode(s);
    CHECK(sp.encode(s) == ids);
    CHECK(hf.hf()->encode(s, false) == ids);
    CHECK(hf.decode(ids) == sp.decode(ids));
    CHECK(hf.decode(ids) == s);
    auto with_bos = hf.hf()->encode(s, true);
    REQUIRE(!with_bos.empty());
    CHECK(with_bos.front() == sp.bos_id());
    ++compared;
    with_markers += s.find("<|im_") != std::string::npos;
  }
  CHECK(compared > 300);
  CHECK(with_markers > 50);
}

TEST_CASE("the tokenizer.json's merges follow transformers' SentencePieceExtractor", "[tokenizer][export]") {
  const std::string bytes = read_bytes(testing::shared_model_path());
  const json tj = sentencepiece_tokenizer_json(bytes, false);
  const auto info = read_model_info(bytes);
  CHECK(info.model_type == "bpe");
  CHECK(info.byte_fallback);
  CHECK(info.normalizer.name == "identity");
  CHECK(info.precompiled_charsmap.empty());
  // Every merge joins two normal pieces into a normal piece, best score first.
  std::map<std::string, size_t> id;
  for (size_t i = 0; i < info.pieces.size(); ++i) id[info.pieces[i].piece] = i;
  float last = 1e30f;
  for (const auto& m : tj["model"]["merges"]) {
    const std::string l = m[0], r = m[1];
    REQUIRE(id.count(l + r) == 1);
    const auto& merged = info.pieces[id[l + r]];
    CHECK(merged.type == SentencePieceEntry::normal);
    CHECK(info.pieces[id[l]].type == SentencePieceEntry::normal);
    CHECK(merged.score <= last);
    last = merged.score;
  }
  // and every normal piece of more than one character is the result of some merge (SentencePiece
  // made each from two pieces), so BPE can reach the whole vocabulary.
  std::set<std::string> results, multi_char;
  for (const auto& m : tj["model"]["merges"]) results.insert(m[0].get<std::string>() + m[1].get<std::string>());
  for (const auto& p : info.pieces) {
    size_t chars = 0;
    for (unsigned char c : p.piece) chars += (c & 0xC0) != 0x80;
    if (p.type == SentencePieceEntry::normal && chars > 1) multi_char.insert(p.piece);
  }
  CHECK(results == multi_char);
  CHECK(multi_char.size() > 10);
  // The user-defined markers are split off whole, never added tokens; the specials are added.
  CHECK(tj["pre_tokenizer"]["type"] == "Split");
  CHECK(tj["model"]["ignore_merges"] == true);
  for (const auto& a : tj["added_tokens"]) CHECK(a["special"] == true);
  CHECK(tj["added_tokens"].size() == 4);  // <unk> <s> </s> <pad>
  CHECK(tj["post_processor"].is_null());  // add_bos false
}

TEST_CASE("a SentencePiece unigram model becomes a Unigram tokenizer.json with SentencePiece's scores",
          "[tokenizer][export]") {
  const auto dir = testing::scratch_dir("export_unigram");
  const std::string corpus = testing::write_corpus(dir);
  const std::string bytes = train_sentencepiece({corpus}, {330, "unigram", 1});
  sentencepiece::SentencePieceProcessor sp;
  REQUIRE(sp.LoadFromSerializedProto(bytes).ok());
  const json tj = sentencepiece_tokenizer_json(bytes, true);
  REQUIRE(tj["model"]["type"] == "Unigram");
  CHECK(tj["model"]["unk_id"] == sp.unk_id());
  CHECK(tj["model"]["byte_fallback"] == true);
  REQUIRE(tj["model"]["vocab"].size() == static_cast<size_t>(sp.GetPieceSize()));
  for (int i = 0; i < sp.GetPieceSize(); ++i) {
    CHECK(tj["model"]["vocab"][i][0] == sp.IdToPiece(i));
    if (!sp.IsControl(i) && !sp.IsUnknown(i) && !sp.IsByte(i) && !sp.IsUnused(i) && sp.IdToPiece(i).rfind("<|", 0) != 0)
      CHECK(tj["model"]["vocab"][i][1].get<double>() == Approx(sp.GetScore(i)));
  }
  CHECK(tj["post_processor"]["single"][0]["SpecialToken"]["id"] == "<s>");
}

TEST_CASE("the exported tokenizer directory has tokenizer.json, the model and a config naming the specials",
          "[tokenizer][export]") {
  const auto dir = testing::scratch_dir("export_files");
  const Tokenizer sp = Tokenizer::load(testing::shared_model_path());
  HfTokenizerExport options;
  options.chat_template = "{{ bos_token }}";
  options.model_max_length = 256;
  write_hf_tokenizer_files(sp, options, dir);
  const json config = json::parse(read_bytes((dir / "tokenizer_config.json").string()));
  CHECK(config["tokenizer_class"] == "PreTrainedTokenizerFast");
  CHECK(config["bos_token"] == "<s>");
  CHECK(config["eos_token"] == "</s>");
  CHECK(config["unk_token"] == "<unk>");
  CHECK(config["pad_token"] == "<pad>");
  CHECK(config["chat_template"] == "{{ bos_token }}");
  CHECK(config["model_max_length"] == 256);
  CHECK(read_bytes((dir / "tokenizer.model").string()) == sp.serialized_model());
  const Tokenizer again = Tokenizer::load((dir / "tokenizer.json").string());
  CHECK(again.encode("Tom has 17 apples.") == sp.encode("Tom has 17 apples."));
}
