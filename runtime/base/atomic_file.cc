#include "runtime/base/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <system_error>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace sftx::rt {

namespace fs = std::filesystem;

namespace {

std::string sys_error(const std::string& what, const fs::path& p, int err = errno) {
  return what + " " + p.string() + ": " + std::strerror(err);
}

fs::path parent_of(const fs::path& p) { return p.parent_path().empty() ? fs::path(".") : p.parent_path(); }

fs::path tmp_sibling(const fs::path& final_path) {
  fs::path tmp = final_path;
  // Host and pid: two machines writing the same file of a shared cache (Slurm) must not
  // share a temporary.
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  tmp += ".tmp-" + std::string(host) + "-" + std::to_string(::getpid());
  return tmp;
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) throw std::runtime_error(sys_error("cannot rename " + from.string() + " to", to));
}

}  // namespace

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(sys_error("cannot open for fsync", path));
  int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error(sys_error("fsync failed on", path, err));
}

void fsync_tree(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() || entry.is_directory()) fsync_path(entry.path());
  fsync_path(dir);
}

void move_into_place(const fs::path& complete, const fs::path& target) {
  if (fs::is_directory(complete)) fsync_tree(complete);
  else fsync_path(complete);
  rename_or_throw(complete, target);
  fsync_path(parent_of(target));
}

// ---------------------------------------------------------------- AtomicPath
AtomicPath::AtomicPath(fs::path final_path) : final_(std::move(final_path)), tmp_(tmp_sibling(final_)) {
  fs::create_directories(parent_of(final_));
}

AtomicPath::~AtomicPath() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

// ---------------------------------------------------------------- AtomicFile
AtomicFile::AtomicFile(fs::path final_path) : AtomicPath(std::move(final_path)) {}

void AtomicFile::commit() {
  move_into_place(tmp_, final_);
  committed_ = true;
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  AtomicFile file(path);
  // Plain write(2)s, so that the open, every write and the close are each checked with their
  // errno (an ofstream's close is not, and its failure says nothing of why): a full disk is
  // "PATH: cannot write: No space left on device", and the temporary goes with the AtomicFile.
  auto fail = [&](int err, int fd) {
    if (fd >= 0) ::close(fd);
    throw std::system_error(err, std::generic_category(), path.string() + ": cannot write");
  };
  const int fd = ::open(file.tmp().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(errno, -1);
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(n < 0 ? errno : EIO, fd);
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail(errno, -1);
  file.commit();
}

// ---------------------------------------------------------------- AtomicDir
AtomicDir::AtomicDir(fs::path final_path) : AtomicPath(std::move(final_path)) {
  const std::string prefix = final_.filename().string() + ".tmp-";
  for (const auto& e : fs::directory_iterator(parent_of(final_))) {  // debris of a crashed save
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path());
  }
  fs::create_directories(tmp_);
}

void AtomicDir::commit() {
  if (!fs::exists(final_)) {
    move_into_place(tmp_, final_);
    committed_ = true;
    return;
  }
  fsync_tree(tmp_);
  if (::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, final_.c_str(), RENAME_EXCHANGE) == 0) {
    fsync_path(parent_of(final_));
    fs::remove_all(tmp_);  // now holds the previous contents
  } else {
    // A filesystem without RENAME_EXCHANGE (EINVAL): move the old directory aside first. A crash
    // between the two renames leaves NAME absent, never half-written.
    fs::path old = final_;
    old += ".old-" + std::to_string(::getpid());
    fs::remove_all(old);
    rename_or_throw(final_, old);
    rename_or_throw(tmp_, final_);
    fsync_path(parent_of(final_));
    fs::remove_all(old);
  }
  committed_ = true;
}

}  // namespace sftx::rt
