#include "runtime/nn/atomic_dir.h"

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
std::string sys_error(const std::string& what, const fs::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}
}  // namespace

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(sys_error("cannot open for fsync", path));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error(sys_error("fsync failed on", path));
}

AtomicDir::AtomicDir(fs::path final_path) : final_(std::move(final_path)) {
  fs::path parent = final_.parent_path().empty() ? fs::path(".") : final_.parent_path();
  fs::create_directories(parent);
  std::string prefix = final_.filename().string() + ".tmp-";
  for (const auto& e : fs::directory_iterator(parent)) {  // debris of a crashed save
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path());
  }
  tmp_ = parent / (prefix + std::to_string(::getpid()));
  fs::create_directories(tmp_);
}

AtomicDir::~AtomicDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

void AtomicDir::commit() {
  for (const auto& e : fs::recursive_directory_iterator(tmp_)) fsync_path(e.path());
  fsync_path(tmp_);
  if (fs::exists(final_)) {
    if (::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, final_.c_str(), RENAME_EXCHANGE) != 0)
      throw std::runtime_error(sys_error("cannot swap in " + tmp_.string() + " for", final_));
    fsync_path(final_.parent_path().empty() ? fs::path(".") : final_.parent_path());
    fs::remove_all(tmp_);  // now holds the previous contents
  } else {
    if (::rename(tmp_.c_str(), final_.c_str()) != 0)
      throw std::runtime_error(sys_error("cannot rename " + tmp_.string() + " to", final_));
    fsync_path(final_.parent_path().empty() ? fs::path(".") : final_.parent_path());
  }
  committed_ = true;
}

void write_file_atomic(const fs::path& path, const std::string& bytes) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(sys_error("cannot write", tmp));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw std::runtime_error(sys_error("write failed on", tmp));
  }
  fsync_path(tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(sys_error("cannot rename to", path));
  fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

}  // namespace sftx::rt
