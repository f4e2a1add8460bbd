#include "interpreter/exec/key_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sftx::exec {
namespace {

int open_lock_file(const std::filesystem::path& lock_file) {
  int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error(lock_file.string() + ": cannot open lock file: " + std::strerror(errno));
  return fd;
}

}  // namespace

KeyLock KeyLock::acquire(const std::filesystem::path& lock_file) {
  int fd = open_lock_file(lock_file);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    throw std::runtime_error(lock_file.string() + ": flock failed: " + std::strerror(err));
  }
  return KeyLock(fd);
}

std::optional<KeyLock> KeyLock::try_acquire(const std::filesystem::path& lock_file) {
  int fd = open_lock_file(lock_file);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return KeyLock(fd);
}

KeyLock::KeyLock(KeyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

KeyLock& KeyLock::operator=(KeyLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

KeyLock::~KeyLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace sftx::exec
