#include "runtime/eval/jsonl.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

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

void write_text_file(const std::string& path, const std::string& text) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(tmp + ": cannot write");
  }
  std::filesystem::rename(tmp, path);
}

void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows) {
  std::string text;
  for (const auto& r : rows) {
    text += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
  }
  write_text_file(path, text);
}

}  // namespace sftx::rt
