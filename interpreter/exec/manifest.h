// manifest.json: what a cache object is and how to check it is intact.
//
//   {"key", "node_id", "op", "label", "description", "inputs": [input keys],
//    "files": [{"path", "size", "sha256"}], "content_digest", "outputs": {...},
//    "created", "duration_s", "sftx_version"}
//
// `files` lists every regular file of the object (paths relative to it, '/'-separated,
// sorted); `content_digest` is the SHA-256 over those entries, so two objects with the same
// content digest hold the same bytes. `outputs` is what the node reported (record counts,
// training steps, evaluation scores) so that a reused node reports the same as a fresh one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::exec {

inline constexpr const char* kSftxVersion = "0.1.0";

struct ManifestFile {
  std::string path;
  uint64_t size = 0;
  std::string sha256;
};

struct Manifest {
  std::string key;
  std::string node_id;
  std::string op;
  std::string label;
  nlohmann::json description = nlohmann::json::object();
  std::vector<std::string> inputs;
  std::vector<ManifestFile> files;
  std::string content_digest;
  nlohmann::json outputs = nlohmann::json::object();
  std::string created;   // UTC, ISO 8601
  double duration_s = 0;
  std::string sftx_version = kSftxVersion;

  uint64_t total_size() const;
};

nlohmann::json to_json(const Manifest& m);
Manifest manifest_from_json(const nlohmann::json& j);  // throws std::runtime_error on a bad shape

// Lists and digests every regular file under `dir` except manifest.json, sorted by path.
std::vector<ManifestFile> digest_files(const std::filesystem::path& dir);
std::string content_digest(const std::vector<ManifestFile>& files);

// Current UTC time as "2026-11-21T19:40:00Z".
std::string utc_now_iso8601();

}  // namespace sftx::exec
