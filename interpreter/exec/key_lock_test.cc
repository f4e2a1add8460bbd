// The lease lock of key_lock.h with real files, processes and threads: exclusion, takeover of
// a dead holder's lock on this host at once, of a silent holder elsewhere after its lease, and
// no takeover while a holder elsewhere keeps its heartbeat.
#include "interpreter/exec/key_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "interpreter/exec/test_support.h"

using namespace sftx::exec;
using sftx::exec::testing::TempDir;
using sftx::exec::testing::write_file;
namespace fs = std::filesystem;

namespace {

// A lock file as a holder on another machine would have left it.
void write_foreign_lock(const fs::path& file, const std::string& token, double lease_s) {
  nlohmann::json j = {{"host", "elsewhere.invalid"}, {"pid", 4242}, {"start_time", 1}, {"token", token},
                      {"lease_s", lease_s}};
  write_file(file, j.dump());
}

}  // namespace

TEST_CASE("key lock: one holder at a time, released on destruction", "[exec][lock]") {
  TempDir tmp;
  fs::path file = tmp.path() / "k.lock";
  {
    auto a = KeyLock::try_acquire(file);
    REQUIRE(a.has_value());
    auto owner = KeyLock::read_owner(file);
    REQUIRE(owner.has_value());
    CHECK(owner->pid == ::getpid());
    CHECK(owner->host == KeyLock::this_host());
    CHECK_FALSE(KeyLock::try_acquire(file).has_value());             // another thread of ours
    CHECK_FALSE(KeyLock::try_acquire(file, 0.3).has_value());        // still held after waiting
  }
  CHECK_FALSE(fs::exists(file));
  CHECK(KeyLock::try_acquire(file).has_value());
  // Nothing but the lock's own name is left behind by the holders.
  CHECK(fs::is_empty(tmp.path()));
}

TEST_CASE("key lock: a waiter gets the lock when the holder lets go", "[exec][lock]") {
  TempDir tmp;
  fs::path file = tmp.path() / "k.lock";
  auto held = std::make_optional(KeyLock::acquire(file));
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto lock = KeyLock::acquire(file);
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(got.load());
  held.reset();
  waiter.join();
  CHECK(got.load());
}

TEST_CASE("key lock: a dead process's lock on this host is taken over at once", "[exec][lock]") {
  TempDir tmp;
  fs::path file = tmp.path() / "k.lock";
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto lock = KeyLock::acquire(file);
    ::_exit(0);  // no destructor: the lock file stays, naming a process that is gone
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  auto stale = KeyLock::read_owner(file);
  REQUIRE(stale.has_value());
  CHECK(stale->pid == child);
  auto lock = KeyLock::try_acquire(file);
  REQUIRE(lock.has_value());
  CHECK(KeyLock::read_owner(file)->pid == ::getpid());
}

TEST_CASE("key lock: a holder elsewhere whose heartbeat stopped loses the lock after its lease", "[exec][lock]") {
  TempDir tmp;
  fs::path file = tmp.path() / "k.lock";
  write_foreign_lock(file, "silent", 0.5);
  CHECK_FALSE(KeyLock::try_acquire(file).has_value());  // one look: not provably dead yet
  auto lock = KeyLock::try_acquire(file, 10);
  REQUIRE(lock.has_value());
  CHECK(KeyLock::read_owner(file)->token != "silent");
}

TEST_CASE("key lock: a holder elsewhere that keeps its heartbeat keeps the lock", "[exec][lock]") {
  TempDir tmp;
  fs::path file = tmp.path() / "k.lock";
  write_foreign_lock(file, "alive", 0.5);
  std::atomic<bool> stop{false};
  std::thread heartbeat([&] {
    while (!stop) {
      ::utimensat(AT_FDCWD, file.c_str(), nullptr, 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Four leases of waiting: a lock judged by its age alone would be taken.
  CHECK_FALSE(KeyLock::try_acquire(file, 2.0).has_value());
  stop = true;
  heartbeat.join();
  CHECK(KeyLock::read_owner(file)->token == "alive");
}

TEST_CASE("key lock: the holder refreshes its lock file's mtime", "[exec][lock]") {
  TempDir tmp;
  fs::path file = tmp.path() / "k.lock";
  LockTiming fast;
  fast.lease_s = 0.2;
  auto lock = KeyLock::try_acquire(file, 0, fast);
  REQUIRE(lock.has_value());
  struct stat before {}, after {};
  REQUIRE(::stat(file.c_str(), &before) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(::stat(file.c_str(), &after) == 0);
  bool moved = after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec;
  CHECK(moved);
}
