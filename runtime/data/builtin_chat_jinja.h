// The built-in chat templates (vicuna, llama2, chatml, alpaca: chat_template.h) written as the
// Jinja a Hugging Face tokenizer_config.json carries, so that a model `sftx export` writes renders
// conversations in transformers (apply_chat_template) exactly as sftx trained it.
// builtin_chat_jinja_test.cc renders each with sftx's own Jinja interpreter beside the built-in.
#pragma once

#include <string>

namespace sftx::rt {

// The template's Jinja, using bos_token and eos_token as tokenizer_config.json defines them.
// Throws std::invalid_argument for a name that is not built in.
std::string builtin_chat_template_jinja(const std::string& name);

// Whether the template starts every conversation with the bos token (all but chatml): an
// exported tokenizer adds it when told to add special tokens, as the model was trained.
bool builtin_chat_template_starts_with_bos(const std::string& name);

}  // namespace sftx::rt
