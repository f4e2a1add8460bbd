// The content-addressed cache: one directory per node key, written atomically, verified on
// every read.
//
//   ROOT/objects/ab/abcdef.../   a finished node's output files + manifest.json
//   ROOT/tmp/<key>.<host>.<pid>/ an object being built (renamed into objects/ when complete)
//   ROOT/locks/<key>.lock        one builder per key across processes and machines (key_lock.h)
//   ROOT/work/<key>/             a training stage's working directory (state/ for resume);
//                                it survives a killed run, so the same key finds it again
//   ROOT/index/<sha256(node id)>.json  the last key and description stored for a node id,
//                                so `sftx plan` can say which parameter or input changed
//
// Objects appear by rename(2) of a complete, fsynced directory, so a reader never sees half
// of one. A reader still re-hashes every file: disks and people corrupt files after the fact.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/key_lock.h"
#include "interpreter/exec/manifest.h"

namespace sftx::exec {

struct ObjectCheck {
  enum class Status { missing, valid, corrupt } status = Status::missing;
  Manifest manifest;      // valid: the verified manifest
  std::string problem;    // corrupt: "file model.safetensors: digest mismatch"
};

// What the builder of a node tells the store about it (the files come from the staging dir).
struct StoreRequest {
  std::string key;
  std::string node_id;
  std::string op;
  std::string label;
  nlohmann::json description = nlohmann::json::object();
  std::vector<std::string> input_keys;
  nlohmann::json outputs = nlohmann::json::object();
  double duration_s = 0;
};

struct IndexEntry {
  std::string node_id;
  std::string key;
  nlohmann::json description;
};

class CacheStore {
 public:
  // Creates ROOT and its subdirectories when missing.
  explicit CacheStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path object_dir(const std::string& key) const;
  std::filesystem::path work_dir(const std::string& key) const;

  // Reads the manifest and checks every file it lists: its size (cheap: what `sftx plan`
  // does, so a truncated object is not reported cached) and, with `digests`, its SHA-256.
  ObjectCheck check(const std::string& key, bool digests = true) const;

  // The manifest as stored, not verified (listing); nullopt when missing or unreadable.
  std::optional<Manifest> read_manifest(const std::string& key) const;

  // Blocks until this process is the only builder of `key`.
  KeyLock lock(const std::string& key) const;
  std::optional<KeyLock> try_lock(const std::string& key) const;

  // A fresh, empty tmp/<key>.<host>.<pid>/ to build the object in. Call with the key's lock held.
  // Checks the cache's free space first (require_free_space): every node build is a large
  // write (records, shards, checkpoints), and one that fills the disk halfway wastes its work.
  std::filesystem::path make_staging(const std::string& key) const;

  // Throws std::runtime_error "cache ROOT: only N MiB free on its file system, less than the
  // M MiB kept free ..." when statvfs says fewer than min_free_bytes() bytes are available to
  // this user. A statvfs that fails (an unusual file system) is not an error: the writes are
  // still checked one by one.
  void require_free_space() const;
  // SFTX_CACHE_MIN_FREE_MB (MiB; 0 turns the check off), else kDefaultMinFreeMiB.
  static uint64_t min_free_bytes();
  static constexpr uint64_t kDefaultMinFreeMiB = 256;

  // Digests and fsyncs every file in `staging`, writes manifest.json, and renames the
  // directory to objects/ (replacing a corrupt object that was there). Call with the lock held.
  Manifest commit(const std::filesystem::path& staging, const StoreRequest& request);

  // Moves the object aside and deletes it (a corrupt object, or gc).
  void remove_object(const std::string& key);

  // Every key under objects/, sorted.
  std::vector<std::string> keys() const;
  // Entries under objects/ that are not an object directory (a file where a shard or an
  // object directory should be, a name that is not a key, an object outside its shard),
  // relative to the root, sorted: keys() skips them, `cache verify` reports them.
  std::vector<std::string> malformed_entries() const;

  // The node-id index (see above). remember() writes only when the entry changes.
  void remember(const std::string& node_id, const std::string& key, const nlohmann::json& description);
  std::optional<IndexEntry> last_for(const std::string& node_id) const;

 private:
  std::filesystem::path root_;
};

// A cache key names a directory: only lowercase hex, at least 8 characters.
bool is_valid_key(const std::string& key);

}  // namespace sftx::exec
