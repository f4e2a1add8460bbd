#include "interpreter/exec/cache_store.h"

#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "interpreter/exec/sha256.h"
#include "interpreter/exec/test_support.h"

using namespace sftx::exec;
using sftx::exec::testing::read_file;
using sftx::exec::testing::TempDir;
using sftx::exec::testing::write_file;
namespace fs = std::filesystem;

namespace {

StoreRequest request_for(const std::string& key) {
  StoreRequest r;
  r.key = key;
  r.node_id = "math";
  r.op = "synthetic";
  r.label = "synthetic(math)";
  r.description = {{"op", "synthetic"}, {"n", 10}};
  r.outputs = {{"records", 10}};
  r.duration_s = 0.5;
  return r;
}

std::string store_one(CacheStore& store, const std::string& key, const std::string& payload) {
  auto lock = store.lock(key);
  fs::path staging = store.make_staging(key);
  write_file(staging / "data.jsonl", payload);
  write_file(staging / "model" / "config.json", "{}");
  store.commit(staging, request_for(key));
  return key;
}

}  // namespace

TEST_CASE("a committed object is found, verified, and carries its manifest", "[exec][cache]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  std::string key = sha256_hex("node-a");
  CHECK(store.check(key).status == ObjectCheck::Status::missing);
  store_one(store, key, "{\"a\":1}\n");

  ObjectCheck c = store.check(key);
  REQUIRE(c.status == ObjectCheck::Status::valid);
  CHECK(c.manifest.key == key);
  CHECK(c.manifest.outputs["records"] == 10);
  REQUIRE(c.manifest.files.size() == 2);
  CHECK(c.manifest.files[0].path == "data.jsonl");
  CHECK(c.manifest.files[0].size == 8);
  CHECK(c.manifest.files[0].sha256 == sha256_hex("{\"a\":1}\n"));
  CHECK(c.manifest.files[1].path == "model/config.json");
  CHECK(store.object_dir(key) == tmp.path() / "cache" / "objects" / key.substr(0, 2) / key);
  CHECK(store.keys() == std::vector<std::string>{key});
  // Nothing is left in tmp/: the staging directory itself became the object.
  CHECK(fs::is_empty(tmp.path() / "cache" / "tmp"));
}

TEST_CASE("a corrupted file, a truncated file, a missing file and a broken manifest are corrupt", "[exec][cache]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  std::string key = sha256_hex("node-b");
  store_one(store, key, "0123456789\n");
  fs::path data = store.object_dir(key) / "data.jsonl";

  SECTION("same size, different bytes") {
    write_file(data, "0123456780\n");
    ObjectCheck c = store.check(key);
    CHECK(c.status == ObjectCheck::Status::corrupt);
    CHECK(c.problem == "file data.jsonl: digest mismatch");
  }
  SECTION("truncated") {
    write_file(data, "0123");
    ObjectCheck c = store.check(key);
    CHECK(c.status == ObjectCheck::Status::corrupt);
    CHECK(c.problem == "file data.jsonl: size 4, expected 11");
  }
  SECTION("deleted") {
    fs::remove(store.object_dir(key) / "model" / "config.json");
    CHECK(store.check(key).problem == "file model/config.json: missing");
  }
  SECTION("manifest edited") {
    write_file(store.object_dir(key) / "manifest.json", "{not json");
    CHECK(store.check(key).problem == "manifest.json: unreadable");
  }
  SECTION("a rebuilt object replaces the corrupt one") {
    write_file(data, "garbage");
    REQUIRE(store.check(key).status == ObjectCheck::Status::corrupt);
    store_one(store, key, "fresh\n");
    ObjectCheck c = store.check(key);
    REQUIRE(c.status == ObjectCheck::Status::valid);
    CHECK(read_file(store.object_dir(key) / "data.jsonl") == "fresh\n");
  }
}

TEST_CASE("an object is invisible until commit renames it into place", "[exec][cache]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  std::string key = sha256_hex("node-c");
  auto lock = store.lock(key);
  fs::path staging = store.make_staging(key);
  write_file(staging / "data.jsonl", "half");
  // A reader at this moment sees nothing, not a partial object.
  CHECK(store.check(key).status == ObjectCheck::Status::missing);
  CHECK(store.keys().empty());
  store.commit(staging, request_for(key));
  CHECK(store.check(key).status == ObjectCheck::Status::valid);
  CHECK_FALSE(fs::exists(staging));
}

TEST_CASE("the key lock excludes a second process until the first releases it", "[exec][cache][lock]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  std::string key = sha256_hex("node-d");
  fs::path marker = tmp.path() / "child-got-lock";

  // Fork before locking: a child that inherited the parent's lock descriptor would keep the
  // flock alive after the parent closes its copy.
  int go[2];
  REQUIRE(::pipe(go) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: a second process on the same cache. try_lock must fail while the parent holds it,
    // then the blocking lock returns once the parent lets go, and the object is there.
    int rc = 0;
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(12);
    {
      CacheStore other(tmp.path() / "cache");
      if (other.try_lock(key)) rc = 10;
      auto lock = other.lock(key);
      if (other.check(key).status != ObjectCheck::Status::valid) rc = 11;
      write_file(marker, "yes");
    }
    ::_exit(rc);
  }
  auto parent_lock = std::make_optional(store.lock(key));
  char c = 'x';
  REQUIRE(::write(go[1], &c, 1) == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(fs::exists(marker));  // still blocked
  fs::path staging = store.make_staging(key);
  write_file(staging / "data.jsonl", "built once\n");
  store.commit(staging, request_for(key));
  parent_lock.reset();
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(fs::exists(marker));
  ::close(go[0]);
  ::close(go[1]);
}

TEST_CASE("a lock held by a killed process is released", "[exec][cache][lock]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  std::string key = sha256_hex("node-e");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto lock = store.lock(key);
    char c = 'x';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  CHECK_FALSE(store.try_lock(key).has_value());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  CHECK(store.try_lock(key).has_value());
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_CASE("the node index remembers the last key and description of a node id", "[exec][cache]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  CHECK_FALSE(store.last_for("dmt(1/4).stage2").has_value());
  store.remember("dmt(1/4).stage2", sha256_hex("k1"), {{"lr", "1/50000"}});
  store.remember("dmt(1/4).stage2", sha256_hex("k2"), {{"lr", "1/10000"}});
  auto e = store.last_for("dmt(1/4).stage2");
  REQUIRE(e.has_value());
  CHECK(e->key == sha256_hex("k2"));
  CHECK(e->description["lr"] == "1/10000");
}

TEST_CASE("the node index is written only when it changes, so a reused node writes nothing",
          "[exec][cache][disk_full]") {
  // A run whose nodes are all cached must not fail on a full disk for rewriting what the index
  // already holds (it did: every reused node failed with "index/...json: cannot write").
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  const fs::path file = tmp.path() / "cache" / "index" / (sha256_hex("one.stage1") + ".json");
  store.remember("one.stage1", sha256_hex("k1"), {{"lr", "1/50000"}});
  REQUIRE(fs::exists(file));
  auto marked = nlohmann::json::parse(read_file(file));
  marked["updated"] = "marker";  // a rewrite would replace it
  write_file(file, marked.dump(2));
  store.remember("one.stage1", sha256_hex("k1"), {{"lr", "1/50000"}});
  CHECK(nlohmann::json::parse(read_file(file))["updated"] == "marker");
  store.remember("one.stage1", sha256_hex("k1"), {{"lr", "1/10000"}});  // the description changed
  CHECK(nlohmann::json::parse(read_file(file))["updated"] != "marker");
  CHECK(store.last_for("one.stage1")->description["lr"] == "1/10000");
}

TEST_CASE("keys that are not hex are refused", "[exec][cache]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  CHECK_THROWS(store.object_dir("../../etc"));
  CHECK_THROWS(store.work_dir("abc"));
  CHECK(is_valid_key(sha256_hex("x")));
}

TEST_CASE("an entry under objects/ that is not an object directory is reported malformed", "[exec][cache]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  const std::string good = "aa11223344556677", flattened = "bb11223344556677";
  store_one(store, good, "kept");
  store_one(store, flattened, "replaced by a file");
  CHECK(store.malformed_entries().empty());
  // The object directory replaced by a file of the same name.
  fs::remove_all(store.object_dir(flattened));
  write_file(store.object_dir(flattened), "not a directory");
  write_file(tmp.path() / "cache" / "objects" / "stray.txt", "x");
  CHECK(store.keys() == std::vector<std::string>{good});
  CHECK(store.malformed_entries() ==
        std::vector<std::string>{"objects/bb/" + flattened + ": not an object directory",
                                 "objects/stray.txt: not a shard directory"});
}

TEST_CASE("a build does not start when the cache's file system is nearly full", "[exec][cache][disk_full]") {
  // The real statvfs of the temporary directory's file system: asking to keep more free than
  // it has (its free space plus 1 TiB) must refuse the staging directory with a clear error.
  TempDir dir;
  CacheStore store(dir.path() / "cache");
  struct statvfs sv {};
  REQUIRE(::statvfs(dir.path().c_str(), &sv) == 0);
  const uint64_t free_mib = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize >> 20;
  const std::string key = "0123456789abcdef";
  struct EnvGuard {
    ~EnvGuard() { ::unsetenv("SFTX_CACHE_MIN_FREE_MB"); }
  } guard;

  ::setenv("SFTX_CACHE_MIN_FREE_MB", std::to_string(free_mib + (uint64_t{1} << 20)).c_str(), 1);
  try {
    (void)store.make_staging(key);
    FAIL("a staging directory was made with less free space than required");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("cache " + (dir.path() / "cache").string() + ": only "));
    CHECK_THAT(e.what(), Catch::Contains(" MiB kept free for a node's outputs (the disk is nearly full"));
  }
  CHECK_FALSE(fs::exists(dir.path() / "cache" / "tmp" / (key + "." + std::to_string(::getpid()))));

  ::setenv("SFTX_CACHE_MIN_FREE_MB", "0", 1);  // off
  CHECK(fs::is_directory(store.make_staging(key)));
  ::setenv("SFTX_CACHE_MIN_FREE_MB", "1", 1);  // any real disk has 1 MiB
  CHECK(fs::is_directory(store.make_staging(key)));
  ::setenv("SFTX_CACHE_MIN_FREE_MB", "lots", 1);
  CHECK_THROWS_WITH(store.make_staging(key), Catch::Contains("SFTX_CACHE_MIN_FREE_MB must be a number of MiB"));
}
