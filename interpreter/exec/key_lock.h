// An exclusive lock on one cache key that also holds when the cache is on a shared (network)
// filesystem and the builders run on different machines (Slurm jobs, several `sftx run`s).
//
// flock(2) is not enough there: on NFS it is emulated with byte-range locks whose recovery
// after a client crash depends on the server's lock manager, and some filesystems ignore it.
// So the lock is a file, locks/<key>.lock, created with link(2) (atomic on NFS, where O_EXCL
// was not always): each would-be holder writes its own uniquely named file holding
// {host, pid, process start time, token, lease_s} and links it to the lock's name; whoever's
// link succeeds holds the lock. The holder refreshes the lock file's mtime every lease/4
// (a heartbeat thread), and removes the file when done.
//
// A lock whose holder died is taken over: at once when the holder ran on this host and its
// process (pid and start time) is gone, kill -9 included; after the lease when it ran
// elsewhere and its heartbeat stopped (the lease is measured on this machine's clock from
// when the mtime last changed, so clocks need not agree). Taking over renames the stale file
// aside and checks that what moved is the stale holder's; a live lock moved by mistake is
// linked back.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace sftx::exec {

struct LockTiming {
  double lease_s = 60;        // a holder elsewhere that has not refreshed the lock this long is dead
  double poll_max_s = 2;      // waiting: longest pause between attempts
};

// Who holds a lock, as written in its file.
struct LockOwner {
  std::string host;
  long pid = 0;
  unsigned long long start_time = 0;  // /proc/<pid>/stat field 22: tells a reused pid apart
  std::string token;
  double lease_s = 0;
};

class KeyLock {
 public:
  // Blocks until the lock is held. Throws std::runtime_error if the lock file cannot be written.
  static KeyLock acquire(const std::filesystem::path& lock_file, LockTiming timing = {});
  // Returns nullopt when another live holder has it after waiting `wait_s` (0: one attempt).
  static std::optional<KeyLock> try_acquire(const std::filesystem::path& lock_file, double wait_s = 0,
                                            LockTiming timing = {});

  // The holder named in a lock file; nullopt when there is none or it is unreadable.
  static std::optional<LockOwner> read_owner(const std::filesystem::path& lock_file);
  // This machine's name as lock files record it.
  static std::string this_host();

  KeyLock(KeyLock&& other) noexcept;
  KeyLock& operator=(KeyLock&& other) noexcept;
  KeyLock(const KeyLock&) = delete;
  KeyLock& operator=(const KeyLock&) = delete;
  ~KeyLock();

 private:
  struct Held;
  explicit KeyLock(std::unique_ptr<Held> held);
  void release();
  std::unique_ptr<Held> held_;
};

}  // namespace sftx::exec
