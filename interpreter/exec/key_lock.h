// An exclusive advisory lock on one cache key: flock(2) on locks/<key>.lock.
//
// flock locks belong to the open file description, so the lock is released when the holder
// closes the file or dies (kill -9 included): a crashed `sftx run` never leaves a key locked.
// Two processes (or two threads, each opening the file) exclude each other.
#pragma once

#include <filesystem>
#include <optional>

namespace sftx::exec {

class KeyLock {
 public:
  // Blocks until the lock is held. Throws std::runtime_error if the lock file cannot be opened.
  static KeyLock acquire(const std::filesystem::path& lock_file);
  // Returns nullopt when another holder has it.
  static std::optional<KeyLock> try_acquire(const std::filesystem::path& lock_file);

  KeyLock(KeyLock&& other) noexcept;
  KeyLock& operator=(KeyLock&& other) noexcept;
  KeyLock(const KeyLock&) = delete;
  KeyLock& operator=(const KeyLock&) = delete;
  ~KeyLock();

 private:
  explicit KeyLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace sftx::exec
