// Plain JSONL files for evaluation inputs and outputs (samples, problems, predictions,
// per-sample results): one JSON object per line, blank lines ignored.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

struct JsonlLine {
  nlohmann::json value;
  int64_t line = 0;  // 1-based, for "PATH:LINE: ..." errors
};

// Throws std::runtime_error "PATH:LINE: not a JSON object: ..." on a malformed line, and
// "PATH: cannot open" when the file is missing.
std::vector<JsonlLine> read_jsonl_objects(const std::string& path);

// Writes PATH.tmp and renames it, so a crash never leaves a half-written file at PATH.
// Every step is checked: a failure (a full disk) throws std::system_error "PATH: cannot write:
// <errno text>" (a machine error, not the input's fault) and leaves neither PATH nor PATH.tmp.
void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows);
void write_text_file(const std::string& path, const std::string& text);

}  // namespace sftx::rt
