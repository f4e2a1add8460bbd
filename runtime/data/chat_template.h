// Chat templates: how a conversation becomes the text a model trains on, and which parts of
// that text carry loss.
//
// A template renders a conversation into segments {text, trainable, special}. Assistant content
// and the assistant's end-of-turn marker are trainable; the system prompt, user turns and role
// prefixes are not. The tokenizer (runtime/tokenizer) encodes the segments one by one and
// concatenates the ids, so the loss mask follows segment boundaries exactly.
//
// `special` marks a segment that is one marker token when the vocabulary has it as a control or
// user-defined piece (`<s>`, `</s>`, `<|im_end|>`): SentencePiece never produces control ids
// from plain text, so "</s>" written as text would otherwise become the characters < / s >.
//
// Templates (exact strings; {q} user, {a} assistant, {sys} system; <s>/</s> are bos/eos):
//   vicuna  (FastChat "vicuna_v1.1", as in the paper):
//           <s>{sys} USER: {q} ASSISTANT: {a}</s>USER: {q2} ASSISTANT: {a2}</s>
//           sys defaults to "A chat between a curious user and an artificial intelligence
//           assistant. The assistant gives helpful, detailed, and polite answers to the user's
//           questions."; trainable: " {a}" and "</s>". Prompt: ... USER: {q} ASSISTANT:
//   llama2  (Meta's chat_completion): <s>[INST] <<SYS>>\n{sys}\n<</SYS>>\n\n{q} [/INST] {a} </s>
//           <s>[INST] {q2} [/INST] {a2} </s>  (no <<SYS>> block without a system message;
//           contents stripped as Meta does); trainable: " {a} " and "</s>".
//   chatml  <|im_start|>system\n{sys}<|im_end|>\n<|im_start|>user\n{q}<|im_end|>\n
//           <|im_start|>assistant\n{a}<|im_end|>\n  (no bos; system block only when given);
//           trainable: "{a}" and "<|im_end|>".
//   alpaca  (Stanford Alpaca, no-input form): <s>{sys}\n\n### Instruction:\n{q}\n\n### Response:\n{a}</s>
//           further turns: \n\n### Instruction:\n{q2}\n\n### Response:\n{a2}</s>
//           sys defaults to "Below is an instruction that describes a task. Write a response
//           that appropriately completes the request."; trainable: "{a}" and "</s>".
//
// Plain text: a conversation with no user message and only assistant messages (pretraining
// text, the `text` reader) renders as <s>{a}</s> with the text and the eos trainable, in every
// template.
//
// Besides the four built-ins, a template may come from a Hugging Face checkpoint: the name
// "model" means the chat template of the model's own directory (chat_template.jinja, else
// tokenizer_config.json's chat_template), interpreted natively (runtime/data/jinja_chat_template.h
// says how it renders and how the loss mask is found).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/data/record.h"

namespace sftx::rt {

class JinjaChatTemplate;

struct TemplateSegment {
  std::string text;
  bool trainable = false;
  bool special = false;  // one marker token when the vocabulary has it (see above)
  bool operator==(const TemplateSegment& o) const {
    return text == o.text && trainable == o.trainable && special == o.special;
  }
};

class ChatTemplate {
 public:
  // Throws std::invalid_argument naming the known templates when `name` is not one.
  static const ChatTemplate& get(const std::string& name);
  static std::vector<std::string> names();
  // The name that stands for a checkpoint's own template.
  static constexpr const char* kModelTemplate = "model";

  // A template written in Jinja, with the tokenizer's bos/eos tokens (absent: undefined in the
  // template). `origin` names it in errors. Throws jinja::TemplateError on a syntax error or an
  // unsupported construct, with the line and column.
  static ChatTemplate from_jinja(const std::string& source, std::optional<std::string> bos,
                                 std::optional<std::string> eos, const std::string& origin);
  // The chat template of a Hugging Face checkpoint directory: DIR/chat_template.jinja if there
  // is one (newer transformers save it there), else DIR/tokenizer_config.json's chat_template (a
  // string, or a list of {"name", "template"} of which "default" is used), with that file's
  // bos_token and eos_token. Throws std::runtime_error naming the file when there is none.
  static ChatTemplate from_model_dir(const std::string& dir);
  // A built-in by name, or "model" for from_model_dir(model_dir).
  static ChatTemplate resolve(const std::string& name, const std::string& model_dir);

  const std::string& name() const { return name_; }

  // The whole conversation for training. System messages are allowed only before the first
  // user/assistant message (they are joined with "\n" into the system prompt); a later one throws
  // std::invalid_argument saying which message.
  std::vector<TemplateSegment> render(const std::vector<Message>& messages) const;

  // The prompt for generation: the conversation up to and including its last user message,
  // followed by the assistant prefix (e.g. vicuna "... USER: {q} ASSISTANT:"). Every segment is
  // non-trainable. Throws std::invalid_argument when there is no user message.
  std::vector<TemplateSegment> render_prompt(const std::vector<Message>& messages) const;

  // Strings that end an assistant turn when generating (e.g. vicuna "</s>", "USER:").
  const std::vector<std::string>& stop_strings() const { return stops_; }

  // Concatenated segment texts (what the model sees, with markers written out).
  static std::string join(const std::vector<TemplateSegment>& segments);

  enum class Kind { vicuna, llama2, chatml, alpaca, jinja };
  ChatTemplate(std::string name, Kind kind, std::vector<std::string> stops)
      : name_(std::move(name)), kind_(kind), stops_(std::move(stops)) {}

  // The Jinja template behind a "model" template, or null for a built-in.
  const JinjaChatTemplate* jinja() const { return jinja_.get(); }

 private:
  std::string name_;
  Kind kind_;
  std::vector<std::string> stops_;
  std::shared_ptr<const JinjaChatTemplate> jinja_;
  std::vector<TemplateSegment> render_turns(const std::vector<Message>& messages, bool for_prompt) const;
};

// True when the conversation is plain text (only assistant messages, no user message).
bool is_plain_text(const std::vector<Message>& messages);

}  // namespace sftx::rt
