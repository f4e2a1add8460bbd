#include "interpreter/exec/fsync_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace sftx::exec {
namespace fs = std::filesystem;

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot open for fsync: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error(path.string() + ": fsync failed: " + std::strerror(err));
}

void fsync_tree(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() || entry.is_directory()) fsync_path(entry.path());
  fsync_path(dir);
}

void write_file_atomically(const fs::path& file, const std::string& text) {
  fs::path tmp = file;
  // Host and pid: two machines writing the same file of a shared cache must not share a tmp.
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  tmp += ".tmp." + std::string(host) + "." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write: " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(tmp.string() + ": write failed");
  }
  fsync_path(tmp);
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    int err = errno;
    fs::remove(tmp);
    throw std::runtime_error(file.string() + ": rename failed: " + std::strerror(err));
  }
  fsync_path(file.parent_path().empty() ? fs::path(".") : file.parent_path());
}

}  // namespace sftx::exec
