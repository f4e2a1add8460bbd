#include "runtime/base/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

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
  {
    std::ofstream out(file.tmp(), std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(sys_error("cannot write", file.tmp()));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw std::runtime_error(sys_error("write failed on", file.tmp()));
  }
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
