#include "runtime/base/jsonl.h"

#include "runtime/base/json_depth.h"

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "runtime/base/atomic_file.h"

namespace sftx::rt {

namespace {
// The parser's message may quote the bad bytes: printable ASCII only, and not too long.
std::string printable(const std::string& s, size_t max_bytes) {
  std::string out;
  for (unsigned char c : s.substr(0, max_bytes)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return s.size() > max_bytes ? out + "..." : out;
}
}  // namespace

std::vector<JsonlLine> read_jsonl_objects(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<JsonlLine> out;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (json_nests_deeper_than(line))
      throw std::runtime_error(path + ":" + std::to_string(n) + ": JSON nested deeper than " +
                               std::to_string(kMaxJsonDepth) + " levels");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range: 1e999
      throw std::runtime_error(path + ":" + std::to_string(n) + ": not valid JSON: " + printable(e.what(), 300));
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
