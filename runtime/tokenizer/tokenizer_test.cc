#include "runtime/tokenizer/tokenizer.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "runtime/tokenizer/test_corpus.h"

using namespace sftx::rt;

TEST_CASE("a trained tokenizer has LLaMA's special ids and round-trips text exactly", "[tokenizer]") {
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  CHECK(tok.vocab_size() == 400);
  CHECK(tok.unk_id() == 0);
  CHECK(tok.bos_id() == 1);
  CHECK(tok.eos_id() == 2);
  CHECK(tok.pad_id() == 3);
  CHECK(tok.piece(1) == "<s>");
  CHECK(tok.piece(2) == "</s>");
  // identity normalisation + byte fallback: indentation, newlines, unseen Unicode all survive
  for (const std::string s : {"def f(x):\n    return  x * 2\n", "Tom has 17 apples.", "naïve café — 東京 ✓"}) {
    const auto ids = tok.encode(s);
    for (int id : ids) CHECK(id != tok.unk_id());
    CHECK(tok.decode(ids) == s);
  }
  // split_digits: every digit is its own token
  const auto ids = tok.encode("12345");
  int digits = 0;
  for (int id : ids)
    if (tok.piece(id).find_first_of("0123456789") != std::string::npos) {
      ++digits;
      CHECK(tok.piece(id).find_first_of("0123456789") == tok.piece(id).find_last_of("0123456789"));
    }
  CHECK(digits == 5);
}

TEST_CASE("continuation encoding adds no dummy prefix and keeps spaces", "[tokenizer]") {
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  const std::string space = "\xE2\x96\x81";
  // At the start of a document the model prepends "▁" (add_dummy_prefix, as LLaMA).
  CHECK(tok.piece(tok.encode("Sure")[0]).rfind(space, 0) == 0);
  // A continuation segment is tokenised as written: no "▁" before "Sure", one before " Sure".
  CHECK(tok.piece(tok.encode_continuation("Sure")[0]).rfind(space, 0) != 0);
  const auto cont = tok.encode_continuation(" Sure");
  CHECK(tok.decode(cont) == "Sure");  // SentencePiece's decode drops one leading space...
  std::string pieces;
  for (int id : cont) pieces += tok.piece(id);
  CHECK(pieces == space + "Sure");  // ...but the pieces show exactly one
}

TEST_CASE("the vicuna loss mask covers exactly the assistant answers and their </s>", "[tokenizer][loss_mask]") {
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  const std::vector<Message> conv = {{"user", "Tom has 3 apples."}, {"assistant", "So 3."}, {"user", "Why?"},
                                     {"assistant", "Start small."}};
  const auto segs = ChatTemplate::get("vicuna").render(conv);
  const EncodedDocument doc = tok.encode_segments(segs);
  REQUIRE(doc.ids.size() == doc.loss_mask.size());

  // Expected token by token: <s> | system + USER turn + "ASSISTANT:" | " So 3." | </s> |
  // "USER: Why? ASSISTANT:" | " Start small." | </s>
  const auto head = tok.encode(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
      "detailed, and polite answers to the user's questions. USER: Tom has 3 apples. ASSISTANT:");
  const auto a1 = tok.encode_continuation(" So 3.");
  const auto mid = tok.encode_continuation("USER: Why? ASSISTANT:");
  const auto a2 = tok.encode_continuation(" Start small.");
  std::vector<int32_t> ids = {tok.bos_id()};
  std::vector<uint8_t> mask = {0};
  auto put = [&](const std::vector<int32_t>& part, uint8_t m) {
    ids.insert(ids.end(), part.begin(), part.end());
    mask.insert(mask.end(), part.size(), m);
  };
  put(head, 0);
  put(a1, 1);
  put({tok.eos_id()}, 1);
  put(mid, 0);
  put(a2, 1);
  put({tok.eos_id()}, 1);
  CHECK(doc.ids == ids);
  CHECK(doc.loss_mask == mask);

  // And in words: the masked-in tokens spell the two answers, each closed by </s>.
  std::string trained;
  for (size_t i = 0; i < doc.ids.size(); ++i)
    if (doc.loss_mask[i]) trained += tok.piece(doc.ids[i]);
  CHECK(trained == "\xE2\x96\x81So\xE2\x96\x81" "3.</s>\xE2\x96\x81" "Start\xE2\x96\x81small.</s>");
  // The untrained part decodes to the prompt text.
  std::vector<int32_t> untrained;
  for (size_t i = 0; i < doc.ids.size(); ++i)
    if (!doc.loss_mask[i]) untrained.push_back(doc.ids[i]);
  CHECK(tok.decode(untrained).find("USER: Tom has 3 apples. ASSISTANT:USER: Why? ASSISTANT:") != std::string::npos);
}

TEST_CASE("chatml markers are single user-defined tokens", "[tokenizer]") {
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  const auto doc = tok.encode_segments(ChatTemplate::get("chatml").render({{"user", "Hi"}, {"assistant", "Yo"}}));
  const int im_end = tok.encode_continuation("<|im_end|>").at(0);
  CHECK(tok.encode_continuation("<|im_end|>").size() == 1);
  CHECK(tok.piece(im_end) == "<|im_end|>");
  int trained_im_end = 0, untrained_im_end = 0;
  for (size_t i = 0; i < doc.ids.size(); ++i)
    if (doc.ids[i] == im_end) (doc.loss_mask[i] ? trained_im_end : untrained_im_end)++;
  CHECK(trained_im_end == 1);    // the assistant's end of turn
  CHECK(untrained_im_end == 1);  // the user's
}

TEST_CASE("pieces JSON lists every id with its type", "[tokenizer]") {
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  const auto j = tok.pieces_json();
  REQUIRE(j["pieces"].size() == 400);
  CHECK(j["pieces"][2] == "</s>");
  CHECK(j["types"][1] == "control");
  CHECK(j["types"][0] == "unknown");
  CHECK(j["pieces"][tok.encode_continuation("\n")[0]] == "<0x0A>");
  CHECK(j["types"][tok.encode_continuation("\n")[0]] == "byte");
  CHECK(j["eos_id"] == 2);
}

TEST_CASE("loading a file that is not a model says which file", "[tokenizer]") {
  const auto dir = testing::scratch_dir("bad_model");
  const std::string p = (dir / "x.model").string();
  std::ofstream(p) << "not a model";
  CHECK_THROWS_WITH(Tokenizer::load(p), Catch::Contains(p));
  CHECK_THROWS_WITH(Tokenizer::load((dir / "missing.model").string()), Catch::Contains("cannot open"));
}

TEST_CASE("the word cache gives exactly SentencePiece's own ids", "[tokenizer]") {
  const auto dir = testing::scratch_dir("word_cache");
  const std::string corpus = testing::write_corpus(dir);
  std::vector<std::string> models = {testing::shared_model_path()};
  TokenizerSpec uni;
  uni.vocab_size = 400;
  uni.model_type = "unigram";
  models.push_back((dir / "uni.model").string());
  build_tokenizer(uni, {corpus}, models.back());

  std::vector<std::string> texts = {"  leading spaces", "trailing spaces   ", "a  b   c    d", "\n    return x\n\n",
                                    "naïve café — 東京 ✓", "Tom has 3 apples. <|im_end|> USER: hi", " ", "", "x"};
  std::ifstream in(corpus);
  std::string line;
  while (std::getline(in, line))
    for (const auto& m : record_from_json(nlohmann::json::parse(line)).messages) texts.push_back(m.content);

  for (const auto& path : models) {
    const Tokenizer cached = Tokenizer::load(path);
    Tokenizer plain = Tokenizer::load(path);
    REQUIRE(cached.word_cache_enabled());
    plain.disable_word_cache();
    for (int pass = 0; pass < 2; ++pass)  // the second pass reads from the cache
      for (const auto& t : texts) {
        INFO(path << ": [" << t << "]");
        CHECK(cached.encode(t) == plain.encode(t));
        CHECK(cached.encode_continuation(t) == plain.encode_continuation(t));
      }
  }
}

TEST_CASE("every template's markers become bos/eos ids and only assistant text carries loss", "[tokenizer][loss_mask]") {
  const Tokenizer tok = Tokenizer::load(testing::shared_model_path());
  const std::vector<Message> conv = {{"system", "Be brief."}, {"user", "Tom has 3 apples."}, {"assistant", "So 3."}};
  for (const auto& name : ChatTemplate::names()) {
    INFO(name);
    const auto segs = ChatTemplate::get(name).render(conv);
    const EncodedDocument doc = tok.encode_segments(segs);
    std::vector<int32_t> trained;
    for (size_t i = 0; i < doc.ids.size(); ++i)
      if (doc.loss_mask[i]) trained.push_back(doc.ids[i]);
    if (name == "chatml") {
      CHECK(doc.ids.front() != tok.bos_id());
      CHECK(tok.piece(trained.back()) == "<|im_end|>");
    } else {
      CHECK(doc.ids.front() == tok.bos_id());
      CHECK(doc.loss_mask.front() == 0);
      CHECK(trained.back() == tok.eos_id());
    }
    // Without the end marker, the trained tokens spell the answer.
    trained.pop_back();
    std::string text = tok.decode(trained);
    while (!text.empty() && text.back() == ' ') text.pop_back();  // llama2 trains " {a} "
    CHECK(text == "So 3.");
  }
}
