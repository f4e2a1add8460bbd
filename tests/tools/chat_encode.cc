// sftx_chat_encode: a conversation through one of sftx's chat templates and a tokenizer, as
// training sees it, for the parity checks against FastChat (scripts/peers/vicuna_parity.py) and
// jinja2 (scripts/peers/chat_template_parity.py, jinja_chat_parity.py).
//
//   sftx_chat_encode TEMPLATE TOKENIZER IN_JSONL OUT_JSONL
//     TEMPLATE: a built-in name, or a checkpoint directory whose chat template to use (what
//               template = "model" reads: chat_template.jinja or tokenizer_config.json).
//     TOKENIZER: a SentencePiece .model or a tokenizer.json.
//     IN_JSONL: per line {"messages": [{"role", "content"}, ...]}.
//     OUT_JSONL: per line {"text": the rendered conversation, "ids", "loss_mask",
//                          "prompt_text", "prompt_ids": the generation prompt up to the last
//                          user message; for a directory's template also "generation_text":
//                          the whole conversation with add_generation_prompt=true} or
//                          {"error": why}.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "runtime/data/chat_template.h"
#include "runtime/data/jinja_chat_template.h"
#include "runtime/base/jsonl.h"
#include "runtime/tokenizer/tokenizer.h"

using nlohmann::json;

int main(int argc, char** argv) {
  try {
    if (argc != 5) {
      std::cerr << "usage: sftx_chat_encode TEMPLATE TOKENIZER IN_JSONL OUT_JSONL\n";
      return 2;
    }
    const std::string which = argv[1];
    const auto chat = std::filesystem::is_directory(which) ? sftx::rt::ChatTemplate::from_model_dir(which)
                                                           : sftx::rt::ChatTemplate::get(which);
    const auto tok = sftx::rt::Tokenizer::load(argv[2]);
    std::ofstream out(argv[4]);
    if (!out) throw std::runtime_error(std::string(argv[4]) + ": cannot write");
    for (const auto& row : sftx::rt::read_jsonl_objects(argv[3])) {
      json result;
      try {
        std::vector<sftx::rt::Message> messages;
        for (const auto& m : row.value.at("messages"))
          messages.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
        const auto segments = chat.render(messages);
        const auto doc = tok.encode_segments(segments);
        const auto prompt = chat.render_prompt(messages);
        result = {{"text", sftx::rt::ChatTemplate::join(segments)},
                  {"ids", doc.ids},
                  {"loss_mask", doc.loss_mask},
                  {"prompt_text", sftx::rt::ChatTemplate::join(prompt)},
                  {"prompt_ids", tok.encode_segments(prompt).ids}};
        if (chat.jinja()) result["generation_text"] = chat.jinja()->render_text(messages, true);
      } catch (const std::exception& e) {
        result = {{"error", e.what()}};
      }
      out << result.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    }
    return out ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sftx_chat_encode: " << e.what() << "\n";
    return 1;
  }
}
