#include "runtime/base/jsonl.h"

#include <fstream>
#include <stdexcept>

#include "runtime/base/atomic_file.h"

namespace sftx::rt {

std::vector<JsonlLine> read_jsonl_objects(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<JsonlLine> out;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      throw std::runtime_error(path + ":" + std::to_string(n) + ": not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw std::runtime_error(path + ":" + std::to_string(n) + ": expected a JSON object");
    out.push_back({std::move(j), n});
  }
  return out;
}

std::string jsonl_line(const nlohmann::json& row) {
  return row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_jsonl_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) {
    text += l;
    text += '\n';
  }
  write_file_atomic(path, text);
}

void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows) {
  std::vector<std::string> lines;
  lines.reserve(rows.size());
  for (const auto& r : rows) lines.push_back(jsonl_line(r));
  write_jsonl_lines(path, lines);
}

}  // namespace sftx::rt
