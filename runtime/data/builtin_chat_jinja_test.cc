#include "runtime/data/builtin_chat_jinja.h"

#include <catch2/catch.hpp>

#include <random>

#include "runtime/data/chat_template.h"
#include "runtime/data/jinja_chat_template.h"

using namespace sftx::rt;

namespace {

// Conversations that reach every branch of the built-ins: no system, one or two leading system
// messages, user turns in a row (llama2 closes them), an assistant opening the conversation,
// texts with padding, newlines, quotes and markers, and assistant-only "text" records.
std::vector<std::vector<Message>> conversations(int n) {
  const std::vector<std::string> texts = {"Hi", "  padded answer  ", "two\nlines", "What is 17 * 3?",
                                          "It's \"51\".", "<|im_end|> looks like a marker", "naïve — 東京",
                                          "def f(x):\n    return x\n", ""};
  std::mt19937 rng(7);
  auto pick = [&] { return texts[rng() % texts.size()]; };
  std::vector<std::vector<Message>> out;
  for (int i = 0; i < n; ++i) {
    std::vector<Message> m;
    const int systems = static_cast<int>(rng() % 4) == 0 ? 2 : static_cast<int>(rng() % 2);
    for (int s = 0; s < systems; ++s) m.push_back({"system", pick()});
    const int turns = 1 + static_cast<int>(rng() % 3);
    for (int t = 0; t < turns; ++t) {
      const int shape = static_cast<int>(rng() % 6);
      if (shape != 0) m.push_back({"user", pick()});
      if (shape != 1) m.push_back({"assistant", pick()});
    }
    out.push_back(std::move(m));
  }
  out.push_back({{"assistant", "a plain text record"}});
  out.push_back({{"assistant", "first part"}, {"assistant", "second part"}});
  return out;
}

}  // namespace

TEST_CASE("each built-in template's Jinja renders what the built-in renders", "[chat_template][export]") {
  const auto convs = conversations(300);
  for (const std::string& name : ChatTemplate::names()) {
    INFO("template " << name);
    const ChatTemplate& builtin = ChatTemplate::get(name);
    const JinjaChatTemplate jinja(builtin_chat_template_jinja(name), std::string("<s>"), std::string("</s>"), name);
    int prompts = 0;
    for (const auto& messages : convs) {
      INFO("conversation of " << messages.size() << " messages, first role " << messages[0].role);
      CHECK(jinja.render_text(messages, false) == ChatTemplate::join(builtin.render(messages)));
      if (messages.back().role == "user") {
        // transformers' add_generation_prompt on a conversation ending with the user.
        CHECK(jinja.render_text(messages, true) == ChatTemplate::join(builtin.render_prompt(messages)));
        ++prompts;
      }
    }
    CHECK(prompts > 20);
  }
}

TEST_CASE("the built-ins' Jinja refuses what the built-ins refuse", "[chat_template][export]") {
  const std::vector<Message> late_system = {{"user", "a"}, {"system", "b"}};
  const std::vector<Message> odd_role = {{"user", "a"}, {"tool", "b"}};
  for (const std::string& name : ChatTemplate::names()) {
    const JinjaChatTemplate jinja(builtin_chat_template_jinja(name), std::string("<s>"), std::string("</s>"), name);
    CHECK_THROWS_WITH(jinja.render_text(late_system, false), Catch::Contains("system message after"));
    CHECK_THROWS_WITH(jinja.render_text(odd_role, false), Catch::Contains("unknown role tool"));
    CHECK_THROWS(ChatTemplate::get(name).render(late_system));
  }
  CHECK_THROWS_WITH(builtin_chat_template_jinja("zephyr"), Catch::Contains("built in: alpaca, chatml"));
  CHECK_FALSE(builtin_chat_template_starts_with_bos("chatml"));
  CHECK(builtin_chat_template_starts_with_bos("vicuna"));
}
