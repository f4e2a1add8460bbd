#include "interpreter/exec/cache_store.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "runtime/base/atomic_file.h"
#include "interpreter/exec/sha256.h"

namespace sftx::exec {
namespace fs = std::filesystem;

bool is_valid_key(const std::string& key) {
  if (key.size() < 8) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

namespace {

void require_key(const std::string& key) {
  if (!is_valid_key(key)) throw std::invalid_argument("not a cache key: '" + key + "'");
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

CacheStore::CacheStore(fs::path root) : root_(std::move(root)) {
  for (const char* sub : {"objects", "tmp", "locks", "work", "index"}) fs::create_directories(root_ / sub);
}

fs::path CacheStore::object_dir(const std::string& key) const {
  require_key(key);
  return root_ / "objects" / key.substr(0, 2) / key;
}

fs::path CacheStore::work_dir(const std::string& key) const {
  require_key(key);
  return root_ / "work" / key;
}

ObjectCheck CacheStore::check(const std::string& key, bool digests) const {
  ObjectCheck result;
  fs::path dir = object_dir(key);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return result;  // missing
  result.status = ObjectCheck::Status::corrupt;
  fs::path manifest_file = dir / "manifest.json";
  Manifest m;
  try {
    m = manifest_from_json(nlohmann::json::parse(read_text(manifest_file)));
  } catch (const std::exception& e) {
    result.problem = fs::exists(manifest_file) ? "manifest.json: unreadable" : "manifest.json: missing";
    return result;
  }
  if (m.key != key) {
    result.problem = "manifest.json: names key " + m.key;
    return result;
  }
  if (content_digest(m.files) != m.content_digest) {
    result.problem = "manifest.json: content digest mismatch";
    return result;
  }
  for (const auto& f : m.files) {
    fs::path p = dir / f.path;
    if (!fs::is_regular_file(p, ec)) {
      result.problem = "file " + f.path + ": missing";
      return result;
    }
    uint64_t size = fs::file_size(p, ec);
    if (ec || size != f.size) {
      result.problem = "file " + f.path + ": size " + std::to_string(size) + ", expected " + std::to_string(f.size);
      return result;
    }
    if (!digests) continue;
    std::string digest;
    try {
      digest = file_sha256_hex(p);
    } catch (const std::exception& e) {
      result.problem = "file " + f.path + ": unreadable";
      return result;
    }
    if (digest != f.sha256) {
      result.problem = "file " + f.path + ": digest mismatch";
      return result;
    }
  }
  result.status = ObjectCheck::Status::valid;
  result.manifest = std::move(m);
  return result;
}

std::optional<Manifest> CacheStore::read_manifest(const std::string& key) const {
  try {
    return manifest_from_json(nlohmann::json::parse(read_text(object_dir(key) / "manifest.json")));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

KeyLock CacheStore::lock(const std::string& key) const {
  require_key(key);
  return KeyLock::acquire(root_ / "locks" / (key + ".lock"));
}

std::optional<KeyLock> CacheStore::try_lock(const std::string& key) const {
  require_key(key);
  return KeyLock::try_acquire(root_ / "locks" / (key + ".lock"));
}

uint64_t CacheStore::min_free_bytes() {
  uint64_t mib = kDefaultMinFreeMiB;
  if (const char* env = std::getenv("SFTX_CACHE_MIN_FREE_MB"); env && *env) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(env, &end, 10);
    if (errno != 0 || *end != '\0' || *env == '-')
      throw std::invalid_argument(std::string("SFTX_CACHE_MIN_FREE_MB must be a number of MiB, not \"") + env + "\"");
    mib = v;
  }
  return mib > (UINT64_MAX >> 20) ? UINT64_MAX : mib << 20;
}

void CacheStore::require_free_space() const {
  const uint64_t needed = min_free_bytes();
  if (needed == 0) return;
  struct statvfs sv {};
  if (::statvfs(root_.c_str(), &sv) != 0) return;
  const uint64_t free_bytes = static_cast<uint64_t>(sv.f_bavail) * static_cast<uint64_t>(sv.f_frsize);
  if (free_bytes >= needed) return;
  throw std::runtime_error("cache " + root_.string() + ": only " + std::to_string(free_bytes >> 20) +
                           " MiB free on its file system, less than the " + std::to_string(needed >> 20) +
                           " MiB kept free for a node's outputs (the disk is nearly full: free space, `sftx cache gc`, "
                           "or set SFTX_CACHE_MIN_FREE_MB)");
}

fs::path CacheStore::make_staging(const std::string& key) const {
  require_key(key);
  require_free_space();
  // The host too: on a shared cache, builders on two machines may have the same pid.
  fs::path dir = root_ / "tmp" / (key + "." + KeyLock::this_host() + "." + std::to_string(::getpid()));
  fs::remove_all(dir);  // a leftover of an earlier process that had the same host and pid
  fs::create_directories(dir);
  return dir;
}

Manifest CacheStore::commit(const fs::path& staging, const StoreRequest& request) {
  require_key(request.key);
  Manifest m;
  m.key = request.key;
  m.node_id = request.node_id;
  m.op = request.op;
  m.label = request.label;
  m.description = request.description;
  m.inputs = request.input_keys;
  m.files = digest_files(staging);
  m.content_digest = content_digest(m.files);
  m.outputs = request.outputs;
  m.created = utc_now_iso8601();
  m.duration_s = request.duration_s;

  // Every write checked with its errno (an ofstream's buffered write failed silently at close,
  // and said "write failed" with no reason when it did not): a full disk is "PATH: cannot
  // write: No space left on device", and the object is not committed.
  rt::write_file_atomic(staging / "manifest.json", to_json(m).dump(2) + "\n");

  fs::path dest = object_dir(request.key);
  fs::create_directories(dest.parent_path());
  if (fs::exists(dest)) remove_object(request.key);  // only a corrupt object is ever replaced
  rt::move_into_place(staging, dest);
  return m;
}

void CacheStore::remove_object(const std::string& key) {
  fs::path dir = object_dir(key);
  if (!fs::exists(dir)) return;
  // Rename first so no reader ever sees a partly deleted object under its key.
  fs::path doomed = root_ / "tmp" / (key + ".removed." + KeyLock::this_host() + "." + std::to_string(::getpid()));
  fs::remove_all(doomed);
  if (std::rename(dir.c_str(), doomed.c_str()) != 0)
    throw std::runtime_error(dir.string() + ": cannot remove: " + std::strerror(errno));
  fs::remove_all(doomed);
}

std::vector<std::string> CacheStore::keys() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& shard : fs::directory_iterator(root_ / "objects", ec)) {
    if (!shard.is_directory()) continue;
    for (const auto& obj : fs::directory_iterator(shard.path())) {
      std::string name = obj.path().filename().string();
      if (obj.is_directory() && is_valid_key(name)) out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> CacheStore::malformed_entries() const {
  std::vector<std::string> out;
  std::error_code ec;
  auto relative = [&](const fs::path& p) { return p.lexically_relative(root_).string(); };
  for (const auto& shard : fs::directory_iterator(root_ / "objects", ec)) {
    const std::string shard_name = shard.path().filename().string();
    if (!shard.is_directory(ec) || shard.is_symlink(ec) || shard_name.size() != 2 || !is_valid_key(shard_name + "000000")) {
      out.push_back(relative(shard.path()) + ": not a shard directory");
      continue;
    }
    for (const auto& obj : fs::directory_iterator(shard.path(), ec)) {
      const std::string name = obj.path().filename().string();
      if (!is_valid_key(name) || name.compare(0, 2, shard_name) != 0)
        out.push_back(relative(obj.path()) + ": not a cache key in its shard");
      else if (!obj.is_directory(ec) || obj.is_symlink(ec))
        out.push_back(relative(obj.path()) + ": not an object directory");
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void CacheStore::remember(const std::string& node_id, const std::string& key, const nlohmann::json& description) {
  // Unchanged (the usual case: a node reused under the key it had): nothing to write, so a run
  // that only reads cached nodes does not fail on a full disk.
  if (auto last = last_for(node_id); last && last->key == key && last->description == description) return;
  nlohmann::json j = {{"node_id", node_id}, {"key", key}, {"description", description},
                      {"updated", utc_now_iso8601()}};
  rt::write_file_atomic(root_ / "index" / (sha256_hex(node_id) + ".json"), j.dump(2) + "\n");
}

std::optional<IndexEntry> CacheStore::last_for(const std::string& node_id) const {
  fs::path file = root_ / "index" / (sha256_hex(node_id) + ".json");
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(read_text(file));
    return IndexEntry{j.at("node_id").get<std::string>(), j.at("key").get<std::string>(),
                      j.value("description", nlohmann::json::object())};
  } catch (const std::exception&) {
    return std::nullopt;  // an unreadable index entry only costs the "why" of `sftx plan`
  }
}

}  // namespace sftx::exec
