#include "runtime/data/chat_template.h"

#include <map>
#include <stdexcept>

#include "runtime/base/strings.h"
#include "runtime/data/jinja_chat_template.h"

namespace sftx::rt {
namespace {

const char* const kVicunaSystem =
    "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
    "detailed, and polite answers to the user's questions.";
const char* const kAlpacaSystem =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.";

// Appends segments, merging neighbours with the same trainable flag so that the tokenizer sees
// the longest possible runs (every segment boundary is also a token boundary).
class SegmentList {
 public:
  void text(const std::string& t, bool trainable) {
    if (t.empty()) return;
    if (!out_.empty() && !out_.back().special && out_.back().trainable == trainable) {
      out_.back().text += t;
      return;
    }
    out_.push_back({t, trainable, false});
  }
  void marker(const std::string& t, bool trainable) { out_.push_back({t, trainable, true}); }
  std::vector<TemplateSegment> take() { return std::move(out_); }

 private:
  std::vector<TemplateSegment> out_;
};

std::string strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Leading system messages joined into one prompt; returns the index of the first other message.
size_t split_system(const std::vector<Message>& messages, std::string* system, bool* has_system) {
  size_t i = 0;
  *has_system = false;
  for (; i < messages.size() && messages[i].role == "system"; ++i) {
    if (*has_system) *system += "\n";
    *system += messages[i].content;
    *has_system = true;
  }
  for (size_t j = i; j < messages.size(); ++j) {
    const std::string& r = messages[j].role;
    if (r == "system")
      throw std::invalid_argument("message " + std::to_string(j + 1) +
                                  " is a system message after the conversation started; chat templates take a "
                                  "system prompt only before the first user or assistant message");
    if (r != "user" && r != "assistant")
      throw std::invalid_argument("message " + std::to_string(j + 1) + " has role \"" + r +
                                  "\"; expected system, user or assistant");
  }
  return i;
}

}  // namespace

bool is_plain_text(const std::vector<Message>& messages) {
  if (messages.empty()) return false;
  for (const auto& m : messages)
    if (m.role != "assistant") return false;
  return true;
}

const ChatTemplate& ChatTemplate::get(const std::string& name) {
  static const std::map<std::string, ChatTemplate> all = {
      {"vicuna", ChatTemplate("vicuna", Kind::vicuna, {"</s>", "USER:"})},
      {"llama2", ChatTemplate("llama2", Kind::llama2, {"</s>", "[INST]"})},
      {"chatml", ChatTemplate("chatml", Kind::chatml, {"<|im_end|>", "<|im_start|>"})},
      {"alpaca", ChatTemplate("alpaca", Kind::alpaca, {"</s>", "### Instruction:"})},
  };
  auto it = all.find(name);
  if (it == all.end()) {
    throw std::invalid_argument("unknown chat template \"" + name + "\" (known: " + join_names(names()) + ")");
  }
  return it->second;
}

std::vector<std::string> ChatTemplate::names() { return {"alpaca", "chatml", "llama2", "vicuna"}; }

std::string ChatTemplate::join(const std::vector<TemplateSegment>& segments) {
  std::string s;
  for (const auto& seg : segments) s += seg.text;
  return s;
}

ChatTemplate ChatTemplate::from_jinja(const std::string& source, std::optional<std::string> bos,
                                      std::optional<std::string> eos, const std::string& origin) {
  ChatTemplate t(kModelTemplate, Kind::jinja, {});
  t.jinja_ = std::make_shared<const JinjaChatTemplate>(source, std::move(bos), std::move(eos), origin);
  t.stops_ = t.jinja_->stop_strings();
  return t;
}

ChatTemplate ChatTemplate::resolve(const std::string& name, const std::string& model_dir) {
  if (name != kModelTemplate) return get(name);
  if (model_dir.empty())
    throw std::invalid_argument("chat template \"model\" needs a Hugging Face checkpoint (hf(...)) to take it from");
  return from_model_dir(model_dir);
}

std::vector<TemplateSegment> ChatTemplate::render(const std::vector<Message>& messages) const {
  if (jinja_) return jinja_->render(messages);
  if (is_plain_text(messages)) {
    SegmentList out;
    out.marker("<s>", false);
    std::string text;
    for (size_t i = 0; i < messages.size(); ++i) text += (i ? "\n\n" : "") + messages[i].content;
    out.text(text, true);
    out.marker("</s>", true);
    return out.take();
  }
  return render_turns(messages, false);
}

std::vector<TemplateSegment> ChatTemplate::render_prompt(const std::vector<Message>& messages) const {
  if (jinja_) return jinja_->render_prompt(messages);
  size_t last_user = messages.size();
  for (size_t i = messages.size(); i-- > 0;)
    if (messages[i].role == "user") {
      last_user = i;
      break;
    }
  if (last_user == messages.size())
    throw std::invalid_argument("a generation prompt needs at least one user message");
  std::vector<Message> upto(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(last_user) + 1);
  std::vector<TemplateSegment> segs = render_turns(upto, true);
  for (auto& s : segs) s.trainable = false;
  return segs;
}

std::vector<TemplateSegment> ChatTemplate::render_turns(const std::vector<Message>& messages, bool for_prompt) const {
  std::string system;
  bool has_system = false;
  const size_t first = split_system(messages, &system, &has_system);
  SegmentList out;

  switch (kind_) {
    case Kind::vicuna: {
      // FastChat SeparatorStyle.ADD_COLON_TWO, sep " ", sep2 "</s>".
      out.marker("<s>", false);
      out.text((has_system ? system : std::string(kVicunaSystem)) + " ", false);
      for (size_t i = first; i < messages.size(); ++i) {
        if (messages[i].role == "user") {
          out.text("USER: " + messages[i].content + " ", false);
        } else {
          out.text("ASSISTANT:", false);
          out.text(" " + messages[i].content, true);
          out.marker("</s>", true);
        }
      }
      if (for_prompt) out.text("ASSISTANT:", false);
      break;
    }
    case Kind::llama2: {
      // Meta's llama chat_completion: the system prompt is folded into the first user turn.
      bool system_pending = has_system;
      bool open_user = false;
      for (size_t i = first; i < messages.size(); ++i) {
        if (messages[i].role == "user") {
          if (open_user) out.marker("</s>", false);  // two user turns in a row: close the first
          std::string content = messages[i].content;
          if (system_pending) {
            content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
            system_pending = false;
          }
          out.marker("<s>", false);
          out.text("[INST] " + strip(content) + " [/INST]", false);
          open_user = true;
        } else {
          if (!open_user) out.marker("<s>", false);
          out.text(" " + strip(messages[i].content) + " ", true);
          out.marker("</s>", true);
          open_user = false;
        }
      }
      break;  // the prompt ends at "[/INST]": the model continues with " {a}"
    }
    case Kind::chatml: {
      auto block_start = [&](const std::string& role) {
        out.marker("<|im_start|>", false);
        out.text(role + "\n", false);
      };
      if (has_system) {
        block_start("system");
        out.text(system, false);
        out.marker("<|im_end|>", false);
        out.text("\n", false);
      }
      for (size_t i = first; i < messages.size(); ++i) {
        block_start(messages[i].role);
        const bool assistant = messages[i].role == "assistant";
        out.text(messages[i].content, assistant);
        out.marker("<|im_end|>", assistant);
        out.text("\n", false);
      }
      if (for_prompt) block_start("assistant");
      break;
    }
    case Kind::alpaca: {
      out.marker("<s>", false);
      out.text(has_system ? system : std::string(kAlpacaSystem), false);
      for (size_t i = first; i < messages.size(); ++i) {
        if (messages[i].role == "user") {
          out.text("\n\n### Instruction:\n" + messages[i].content + "\n\n### Response:\n", false);
        } else {
          out.text(messages[i].content, true);
          out.marker("</s>", true);
        }
      }
      break;  // the prompt ends at "### Response:\n"
    }
    case Kind::jinja: break;  // rendered by jinja_ (render, render_prompt)
  }
  return out.take();
}

}  // namespace sftx::rt
