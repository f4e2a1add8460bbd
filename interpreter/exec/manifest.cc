#include "interpreter/exec/manifest.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "interpreter/exec/sha256.h"

namespace sftx::exec {
namespace fs = std::filesystem;

uint64_t Manifest::total_size() const {
  uint64_t n = 0;
  for (const auto& f : files) n += f.size;
  return n;
}

nlohmann::json to_json(const Manifest& m) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : m.files) files.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  return {{"key", m.key},           {"node_id", m.node_id},
          {"op", m.op},             {"label", m.label},
          {"description", m.description}, {"inputs", m.inputs},
          {"files", files},         {"content_digest", m.content_digest},
          {"outputs", m.outputs},   {"created", m.created},
          {"duration_s", m.duration_s}, {"sftx_version", m.sftx_version}};
}

Manifest manifest_from_json(const nlohmann::json& j) {
  try {
    Manifest m;
    m.key = j.at("key").get<std::string>();
    m.node_id = j.value("node_id", "");
    m.op = j.value("op", "");
    m.label = j.value("label", "");
    m.description = j.value("description", nlohmann::json::object());
    m.inputs = j.value("inputs", std::vector<std::string>{});
    for (const auto& f : j.at("files"))
      m.files.push_back({f.at("path").get<std::string>(), f.at("size").get<uint64_t>(),
                         f.at("sha256").get<std::string>()});
    m.content_digest = j.at("content_digest").get<std::string>();
    m.outputs = j.value("outputs", nlohmann::json::object());
    m.created = j.value("created", "");
    m.duration_s = j.value("duration_s", 0.0);
    m.sftx_version = j.value("sftx_version", "");
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed manifest: ") + e.what());
  }
}

std::vector<ManifestFile> digest_files(const fs::path& dir) {
  std::vector<ManifestFile> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string rel = fs::relative(entry.path(), dir).generic_string();
    if (rel == "manifest.json") continue;
    files.push_back({rel, static_cast<uint64_t>(entry.file_size()), file_sha256_hex(entry.path())});
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

std::string content_digest(const std::vector<ManifestFile>& files) {
  std::string text;
  for (const auto& f : files) text += f.path + '\0' + std::to_string(f.size) + '\0' + f.sha256 + '\n';
  return sha256_hex(text);
}

std::string utc_now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace sftx::exec
