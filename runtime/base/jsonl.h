// JSONL files that are not records (runtime/data/record_io.h streams those): evaluation inputs
// and outputs, the worker's prompts and sequences, per-sample results. One JSON object per line,
// blank lines ignored. The one reader and writer for such files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

struct JsonlLine {
  nlohmann::json value;
  int64_t line = 0;  // 1-based, for "PATH:LINE: ..." errors
};

// Throws std::runtime_error "PATH:LINE: not valid JSON: ..." or "PATH:LINE: expected a JSON
// object" on a malformed line, and "PATH: cannot open" when the file is missing.
std::vector<JsonlLine> read_jsonl_objects(const std::string& path);

// One line of JSONL: compact, invalid UTF-8 replaced rather than thrown on.
std::string jsonl_line(const nlohmann::json& row);

// Written atomically (runtime/base/atomic_file.h): a crash never leaves half a file at PATH.
void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows);
void write_jsonl_lines(const std::string& path, const std::vector<std::string>& lines);  // already serialised

}  // namespace sftx::rt
