#include "runtime/data/chat_template.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

namespace {
const std::vector<Message> kTwoTurns = {
    {"user", "What is 2+3?"}, {"assistant", "2+3 = 5."}, {"user", "And times 4?"}, {"assistant", "20."}};

std::string trainable_text(const std::vector<TemplateSegment>& segs) {
  std::string s;
  for (const auto& g : segs)
    if (g.trainable) s += "[" + g.text + "]";
  return s;
}
}  // namespace

TEST_CASE("vicuna renders FastChat v1.1 exactly", "[chat_template]") {
  const auto& t = ChatTemplate::get("vicuna");
  const auto segs = t.render(kTwoTurns);
  CHECK(ChatTemplate::join(segs) ==
        "<s>A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
        "detailed, and polite answers to the user's questions. USER: What is 2+3? ASSISTANT: 2+3 = 5.</s>"
        "USER: And times 4? ASSISTANT: 20.</s>");
  CHECK(trainable_text(segs) == "[ 2+3 = 5.][</s>][ 20.][</s>]");
  REQUIRE(segs.size() == 7);
  CHECK(segs[0] == TemplateSegment{"<s>", false, true});
  CHECK(segs[3] == TemplateSegment{"</s>", true, true});
  CHECK(segs[4].text == "USER: And times 4? ASSISTANT:");
  CHECK_FALSE(segs[4].trainable);

  const auto prompt = t.render_prompt(kTwoTurns);
  CHECK(ChatTemplate::join(prompt) ==
        "<s>A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
        "detailed, and polite answers to the user's questions. USER: What is 2+3? ASSISTANT: 2+3 = 5.</s>"
        "USER: And times 4? ASSISTANT:");
  for (const auto& s : prompt) CHECK_FALSE(s.trainable);
  CHECK(t.stop_strings() == std::vector<std::string>{"</s>", "USER:"});
}

TEST_CASE("vicuna uses a given system message instead of the default", "[chat_template]") {
  const auto segs = ChatTemplate::get("vicuna").render({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello"}});
  CHECK(ChatTemplate::join(segs) == "<s>Be brief. USER: Hi ASSISTANT: Hello</s>");
}

TEST_CASE("llama2 renders Meta's [INST] format", "[chat_template]") {
  const auto& t = ChatTemplate::get("llama2");
  std::vector<Message> conv = {{"system", "You are terse."}};
  conv.insert(conv.end(), kTwoTurns.begin(), kTwoTurns.end());
  const auto segs = t.render(conv);
  CHECK(ChatTemplate::join(segs) ==
        "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nWhat is 2+3? [/INST] 2+3 = 5. </s>"
        "<s>[INST] And times 4? [/INST] 20. </s>");
  CHECK(trainable_text(segs) == "[ 2+3 = 5. ][</s>][ 20. ][</s>]");
  CHECK(ChatTemplate::join(t.render_prompt(conv)) ==
        "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nWhat is 2+3? [/INST] 2+3 = 5. </s><s>[INST] And times 4? [/INST]");
  CHECK(ChatTemplate::join(t.render({{"user", "  Hi  "}, {"assistant", "Yo\n"}})) == "<s>[INST] Hi [/INST] Yo </s>");
}

TEST_CASE("chatml renders im_start/im_end blocks", "[chat_template]") {
  const auto& t = ChatTemplate::get("chatml");
  const auto segs = t.render({{"system", "S"}, {"user", "Q"}, {"assistant", "A"}});
  CHECK(ChatTemplate::join(segs) ==
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n");
  CHECK(trainable_text(segs) == "[A][<|im_end|>]");
  CHECK(ChatTemplate::join(t.render_prompt({{"user", "Q"}, {"assistant", "A"}})) ==
        "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n");
}

TEST_CASE("alpaca renders ### Instruction / ### Response", "[chat_template]") {
  const auto& t = ChatTemplate::get("alpaca");
  const auto segs = t.render({{"user", "Add 1 and 2."}, {"assistant", "3"}});
  CHECK(ChatTemplate::join(segs) ==
        "<s>Below is an instruction that describes a task. Write a response that appropriately completes the "
        "request.\n\n### Instruction:\nAdd 1 and 2.\n\n### Response:\n3</s>");
  CHECK(trainable_text(segs) == "[3][</s>]");
  CHECK(ChatTemplate::join(t.render_prompt({{"user", "Add 1 and 2."}, {"assistant", "3"}})) ==
        "<s>Below is an instruction that describes a task. Write a response that appropriately completes the "
        "request.\n\n### Instruction:\nAdd 1 and 2.\n\n### Response:\n");
}

TEST_CASE("plain text trains on everything but bos, in every template", "[chat_template]") {
  for (const auto& name : ChatTemplate::names()) {
    const auto segs = ChatTemplate::get(name).render({{"assistant", "Some prose."}});
    REQUIRE(segs.size() == 3);
    CHECK(segs[0] == TemplateSegment{"<s>", false, true});
    CHECK(segs[1] == TemplateSegment{"Some prose.", true, false});
    CHECK(segs[2] == TemplateSegment{"</s>", true, true});
  }
}

TEST_CASE("templates reject what they cannot render", "[chat_template]") {
  CHECK_THROWS_WITH(ChatTemplate::get("zephyr"), Catch::Contains("known: alpaca, chatml, llama2, vicuna"));
  const auto& t = ChatTemplate::get("vicuna");
  CHECK_THROWS_WITH(t.render({{"user", "a"}, {"system", "b"}}), Catch::Contains("message 2"));
  CHECK_THROWS_WITH(t.render({{"user", "a"}, {"tool", "b"}}), Catch::Contains("role \"tool\""));
  CHECK_THROWS_WITH(t.render_prompt({{"assistant", "a"}}), Catch::Contains("user message"));
}
