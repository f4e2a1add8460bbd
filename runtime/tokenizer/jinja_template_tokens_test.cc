// Published Jinja chat templates (tests/data/chat_templates/) through tokenizer.json files:
// the segment-by-segment encoding equals the whole rendered text's (what transformers tokenises),
// and the tokens that carry loss start exactly where the generation prompt ends.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/data/chat_template.h"
#include "runtime/data/jinja_chat_template.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/test_support.h"

using namespace sftx::rt;

TEST_CASE("Jinja templates: ids equal the whole text's, loss starts where the prompt ends", "[tokenizer][jinja]") {
  const std::string dir = std::string(SFTX_SOURCE_DIR) + "/tests/data/";
  const auto models = nlohmann::json::parse(sftx::testing::read_file(dir + "chat_templates/models.json"));
  const std::vector<Message> conv = {{"user", "What is 2 + 2?"}, {"assistant", "It is 4."}};
  for (const char* tokenizer : {"byte_level_bpe.json", "sentencepiece_bpe.json"}) {
    const Tokenizer tok = Tokenizer::load(dir + "hf_tokenizers/" + tokenizer);
    for (const auto& [file, m] : models.items()) {
      INFO(tokenizer << " " << file);
      auto token = [&](const char* key) {
        return m[key].is_null() ? std::nullopt : std::optional<std::string>(m[key].get<std::string>());
      };
      const ChatTemplate t = ChatTemplate::from_jinja(sftx::testing::read_file(dir + "chat_templates/" + file),
                                                      token("bos_token"), token("eos_token"), file);
      const auto segs = t.render(conv);
      const EncodedDocument doc = tok.encode_segments(segs);
      CHECK(doc.ids == tok.encode(ChatTemplate::join(segs)));
      const auto prompt = tok.encode(t.jinja()->render_text({conv[0]}, true));
      size_t first = 0;
      while (first < doc.loss_mask.size() && !doc.loss_mask[first]) ++first;
      size_t end = first;
      while (end < doc.loss_mask.size() && doc.loss_mask[end]) ++end;
      CHECK(first == prompt.size());
      CHECK(std::vector<int32_t>(doc.ids.begin(), doc.ids.begin() + static_cast<std::ptrdiff_t>(first)) == prompt);
      // One run of loss: the answer and its end-of-turn marker, nothing after.
      for (size_t k = end; k < doc.loss_mask.size(); ++k) CHECK_FALSE(doc.loss_mask[k]);
      const std::vector<int32_t> answer(doc.ids.begin() + static_cast<std::ptrdiff_t>(first),
                                        doc.ids.begin() + static_cast<std::ptrdiff_t>(end));
      CHECK(tok.decode(answer).find("It is 4.") != std::string::npos);
    }
  }
}
