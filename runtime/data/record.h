// One training or evaluation example, whatever file format it came from.
// Every reader normalises into this; every later step (transforms, templates, packing,
// evaluation) reads only this. On disk it is one JSON object per line (JSONL):
//   {"messages": [{"role": "user", "content": "..."}, ...], "source": "...",
//    "origin": "data/x.jsonl:12", "meta": {...}}
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

struct Message {
  std::string role;     // "system", "user" or "assistant"
  std::string content;
};

struct Record {
  std::vector<Message> messages;
  std::string source;   // which source produced it (a file path or "synthetic:math")
  std::string origin;   // where exactly: "PATH:LINE" or "synthetic:math#17"
  // Format-specific fields that evaluation needs and training ignores, e.g.
  // gsm8k: {"answer": "42"}; humaneval: {"task_id", "prompt", "test", "entry_point"};
  // ifeval: {"instructions": [...]}; tags from tag(): {"tags": ["code"]}.
  nlohmann::json meta = nlohmann::json::object();
};

nlohmann::json to_json(const Record& r);
Record record_from_json(const nlohmann::json& j);  // throws std::runtime_error on a bad shape

}  // namespace sftx::rt
