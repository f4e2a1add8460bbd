// A chat template written in Jinja (a Hugging Face tokenizer_config.json's chat_template),
// rendered by sftx's own interpreter (runtime/data/jinja/template.h) exactly as transformers'
// apply_chat_template renders it, and turned into segments with a loss mask.
//
// Which tokens carry loss. sftx trains on assistant tokens only, and a Jinja template does not
// say where an assistant message is in its output. Two ways to find out were possible:
//   - render prefix by prefix (messages[:i] with a generation prompt, then messages[:i+1]) and
//     take the difference, as TRL does for prompt/completion data. That needs every rendering
//     to extend the previous one, which real templates break: Mistral v0.3 moves the system
//     prompt into the *last* user turn, Phi-3 appends an eos only at the very end, Qwen2 adds
//     a default system prompt only when there is none;
//   - or follow the text: the interpreter's strings remember which bytes came from which
//     message's content (value.h, Origin) through concatenation, trim/strip, slicing and
//     splitting, so one rendering says exactly where each assistant content landed, whatever
//     the template does around it. That is what this does.
// The trainable span of an assistant message is then:
//   - its content as rendered (after the template's trim, if any), plus the spaces the template
//     puts right before it (" {a}" in [/INST] {a}: tokenizers fold that space into the first
//     word's token, so the span must start there to be a token boundary);
//   - and the end-of-turn marker the template emits right after the content, with any
//     whitespace between: "<|eot_id|>", "<|im_end|>", "<end_of_turn>", "<|end|>", " </s>" —
//     the eos token, or the first <...> marker, when only whitespace separates it from the
//     content — as transformers' return_assistant_tokens_mask counts it with a {% generation %}
//     block around content and marker. Text after it (the newline after <|im_end|>) is not
//     trained: the model stops at the marker.
// A template that transforms assistant content (upper, replace) so that it no longer appears
// as written is refused for training, with the message's number: never a guessed mask.
//
// Tokenisation follows the segments (tokenizer.h, encode_segments): the bos and eos tokens the
// template writes become `special` segments (one control id for a SentencePiece model); text
// that came from message contents is never split into markers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/data/chat_template.h"
#include "runtime/data/jinja/template.h"
#include "runtime/data/record.h"

namespace sftx::rt {

class JinjaChatTemplate {
 public:
  // `origin` names the template in errors ("DIR/tokenizer_config.json chat_template").
  // bos/eos: the tokenizer_config.json's tokens (absent: undefined in the template, as in
  // transformers). Throws TemplateError (jinja/template.h) when the source does not parse.
  JinjaChatTemplate(const std::string& source, std::optional<std::string> bos, std::optional<std::string> eos,
                    const std::string& origin);

  // The text transformers' apply_chat_template(messages, tokenize=False,
  // add_generation_prompt=...) returns. Throws std::invalid_argument (the template raised, or
  // failed) naming the template's line.
  std::string render_text(const std::vector<Message>& messages, bool add_generation_prompt) const;
  // The conversation for training, with the loss mask described above.
  std::vector<TemplateSegment> render(const std::vector<Message>& messages) const;
  // The conversation up to its last user message with the generation prompt; nothing trainable.
  std::vector<TemplateSegment> render_prompt(const std::vector<Message>& messages) const;
  // The end-of-turn marker after an assistant message (found by rendering a probe conversation)
  // and the eos token: where generation stops.
  const std::vector<std::string>& stop_strings() const { return stops_; }

 private:
  jinja::Template template_;
  std::optional<std::string> bos_, eos_;
  std::vector<std::string> stops_;
  jinja::Text render_raw(const std::vector<Message>& messages, bool add_generation_prompt) const;
  std::vector<TemplateSegment> segments(const jinja::Text& text, const std::vector<bool>& trainable) const;
  // Byte length of the end-of-turn marker (with leading whitespace) at text[at], or 0.
  size_t end_marker_at(const std::string& text, size_t at, size_t limit) const;
};

}  // namespace sftx::rt
