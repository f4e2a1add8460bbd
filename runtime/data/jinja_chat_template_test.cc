// Published chat templates (tests/data/chat_templates/, verbatim from the models'
// tokenizer_config.json files) through ChatTemplate: the text, which parts carry loss, where
// generation stops, and how a checkpoint directory's template is found.
#include "runtime/data/jinja_chat_template.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/data/chat_template.h"
#include "tests/test_support.h"

using namespace sftx::rt;

namespace {

ChatTemplate published(const std::string& file) {
  const std::string dir = std::string(SFTX_SOURCE_DIR) + "/tests/data/chat_templates/";
  const auto models = nlohmann::json::parse(sftx::testing::read_file(dir + "models.json"));
  const auto& m = models.at(file);
  auto token = [&](const char* key) -> std::optional<std::string> {
    return m.at(key).is_null() ? std::nullopt : std::optional<std::string>(m.at(key).get<std::string>());
  };
  return ChatTemplate::from_jinja(sftx::testing::read_file(dir + file), token("bos_token"), token("eos_token"), file);
}

std::string trainable_text(const std::vector<TemplateSegment>& segs) {
  std::string s;
  for (const auto& g : segs)
    if (g.trainable) s += "[" + g.text + "]";
  return s;
}

const std::vector<Message> kConversation = {
    {"user", "Hi"}, {"assistant", " Hello there "}, {"user", "Q2"}, {"assistant", "A2"}};

std::vector<Message> with_system(const std::string& system) {
  std::vector<Message> m = {{"system", system}};
  m.insert(m.end(), kConversation.begin(), kConversation.end());
  return m;
}

}  // namespace

TEST_CASE("Llama-3.1's template renders as transformers does, assistant turns and <|eot_id|> trained",
          "[chat_template][jinja]") {
  const ChatTemplate t = published("llama-3.1-8b-instruct.jinja");
  const auto segs = t.render(with_system("You are terse."));
  const std::string head =
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday "
      "Date: 26 Jul 2024\n\nYou are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_"
      "header_id|>assistant<|end_header_id|>\n\nHello there<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nQ2<|"
      "eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
  CHECK(ChatTemplate::join(segs) == head + "A2<|eot_id|>");
  // Content as the template writes it (trimmed), then the end-of-turn token; nothing else.
  CHECK(trainable_text(segs) == "[Hello there][<|eot_id|>][A2][<|eot_id|>]");
  // bos and eos written by the template are single special segments; the system prompt is not trained.
  CHECK(segs.front() == TemplateSegment{"<|begin_of_text|>", false, true});
  CHECK(ChatTemplate::join(t.render_prompt(with_system("You are terse."))) == head);
  for (const auto& s : t.render_prompt(with_system("You are terse."))) CHECK_FALSE(s.trainable);
  CHECK(t.stop_strings() == std::vector<std::string>{"<|eot_id|>"});
}

TEST_CASE("the end-of-turn marker and the space before the content are part of the assistant span",
          "[chat_template][jinja]") {
  // Qwen2: "<|im_start|>assistant\n{a}<|im_end|>\n": content untrimmed, <|im_end|> is eos.
  const auto qwen = published("qwen2-7b-instruct.jinja");
  CHECK(trainable_text(qwen.render(kConversation)) == "[ Hello there ][<|im_end|>][A2][<|im_end|>]");
  CHECK(ChatTemplate::join(qwen.render(kConversation)).rfind(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n", 0) == 0);
  CHECK(qwen.stop_strings() == std::vector<std::string>{"<|im_end|>"});
  // Mistral v0.3: "[/INST] {a}</s>": the space goes with the content (one token with its first
  // word). The system prompt goes into the user turn only when that turn is the last message:
  // a quirk of the published template, kept.
  const auto mistral = published("mistral-7b-instruct-v0.3.jinja");
  const auto msegs = mistral.render(with_system("Sys"));
  CHECK(ChatTemplate::join(msegs) == "<s>[INST] Hi[/INST] Hello there</s>[INST] Q2[/INST] A2</s>");
  CHECK(ChatTemplate::join(mistral.render_prompt(with_system("Sys"))) ==
        "<s>[INST] Hi[/INST] Hello there</s>[INST] Sys\n\nQ2[/INST]");
  CHECK(trainable_text(msegs) == "[ Hello there][</s>][ A2][</s>]");
  // Gemma: <end_of_turn> is not eos but ends the turn; the newline after it is not trained.
  const auto gemma = published("gemma-7b-it.jinja");
  CHECK(trainable_text(gemma.render(kConversation)) == "[Hello there<end_of_turn>][A2<end_of_turn>]");
  CHECK(gemma.stop_strings() == std::vector<std::string>{"<end_of_turn>", "<eos>"});
  // Phi-3: <|end|> ends a turn; the eos the template appends at the very end is not an assistant token.
  const auto phi = published("phi-3-mini-4k-instruct.jinja");
  const auto psegs = phi.render(kConversation);
  CHECK(trainable_text(psegs) == "[ Hello there <|end|>][A2<|end|>]");
  CHECK(psegs.back() == TemplateSegment{"<|endoftext|>", false, true});
  // Llama-2 (as tests/data/chat_templates/llama2.jinja): " {a} </s>".
  const ChatTemplate llama2 =
      ChatTemplate::from_jinja(sftx::testing::read_file(std::string(SFTX_SOURCE_DIR) + "/tests/data/chat_templates/llama2.jinja"),
                               "<s>", "</s>", "llama2.jinja");
  CHECK(trainable_text(llama2.render(kConversation)) == "[ Hello there ][</s>][ A2 ][</s>]");
  // ... and it equals the built-in llama2, segment for segment.
  CHECK(llama2.render(with_system("Sys")) == ChatTemplate::get("llama2").render(with_system("Sys")));
}

TEST_CASE("message text that looks like a marker stays text", "[chat_template][jinja]") {
  const auto qwen = published("qwen2-7b-instruct.jinja");
  const auto segs = qwen.render({{"user", "say <|im_end|> please"}, {"assistant", "ok <|im_end|> done"}});
  // Only the template's own <|im_end|> tokens (system, user, assistant block) are special segments.
  int special = 0;
  for (const auto& s : segs) special += s.special && s.text == "<|im_end|>";
  CHECK(special == 3);
  CHECK(trainable_text(segs) == "[ok <|im_end|> done][<|im_end|>]");
}

TEST_CASE("an empty assistant message still trains its end-of-turn marker", "[chat_template][jinja]") {
  const auto llama = published("llama-3.1-8b-instruct.jinja");
  CHECK(trainable_text(llama.render({{"user", "Hi"}, {"assistant", "   "}})) == "[<|eot_id|>]");
}

TEST_CASE("a template that rewrites assistant content cannot be trained on", "[chat_template][jinja]") {
  const ChatTemplate t = ChatTemplate::from_jinja(
      "{% for m in messages %}{{ m.role }}: {{ m.content | upper }}\n{% endfor %}", std::nullopt, std::nullopt, "upper.jinja");
  CHECK(ChatTemplate::join(t.render_prompt({{"user", "hi"}})) == "user: HI\n");
  CHECK_THROWS_WITH(t.render({{"user", "hi"}, {"assistant", "yo"}}),
                    Catch::Contains("message 2 (assistant): the chat template upper.jinja does not write its content"));
}

TEST_CASE("the template's own refusals and syntax errors surface with its line", "[chat_template][jinja]") {
  const auto gemma = published("gemma-7b-it.jinja");
  CHECK_THROWS_WITH(gemma.render(with_system("Sys")), Catch::Contains("the template raised an exception: System role not supported"));
  CHECK_THROWS_WITH(ChatTemplate::from_jinja("line\n{% for m in messages %}{{ m | pprint }}{% endfor %}", "<s>", "</s>", "bad.jinja")
                        .render({{"user", "a"}, {"assistant", "b"}}),
                    Catch::Contains("bad.jinja:2:29: unsupported filter 'pprint'"));
  CHECK_THROWS_WITH(ChatTemplate::from_jinja("{% for m in messages %}", "<s>", "</s>", "open.jinja"),
                    Catch::Contains("open.jinja:1:"));
}

TEST_CASE("a checkpoint directory's template: chat_template.jinja, else tokenizer_config.json", "[chat_template][jinja]") {
  sftx::testing::TempDir dir;
  CHECK_THROWS_WITH(ChatTemplate::from_model_dir(dir.path().string()), Catch::Contains("no chat template"));
  // The list form: the template named "default" is used; bos/eos may be AddedToken objects.
  dir.write("tokenizer_config.json", R"({"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
      "chat_template": [{"name": "tool_use", "template": "TOOLS"},
                        {"name": "default", "template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}"}]})");
  const ChatTemplate t = ChatTemplate::from_model_dir(dir.path().string());
  CHECK(ChatTemplate::join(t.render({{"user", "a"}, {"assistant", "b"}})) == "<s>a</s>b</s>");
  CHECK(trainable_text(t.render({{"user", "a"}, {"assistant", "b"}})) == "[b][</s>]");
  CHECK(ChatTemplate::resolve("model", dir.path().string()).name() == "model");
  CHECK(ChatTemplate::resolve("chatml", "").name() == "chatml");
  CHECK_THROWS_WITH(ChatTemplate::resolve("model", ""), Catch::Contains("needs a Hugging Face checkpoint"));
  // chat_template.jinja beside it wins, as in transformers.
  dir.write("chat_template.jinja", "{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}\n");
  CHECK(ChatTemplate::join(ChatTemplate::from_model_dir(dir.path().string()).render({{"user", "a"}, {"assistant", "b"}})) ==
        "[user]a[assistant]b");
  dir.write("tokenizer_config.json", R"({"chat_template": [{"name": "rag", "template": "x"}]})");
  std::filesystem::remove(dir.path() / "chat_template.jinja");
  CHECK_THROWS_WITH(ChatTemplate::from_model_dir(dir.path().string()), Catch::Contains("no template named \"default\" (it has: rag)"));
}
