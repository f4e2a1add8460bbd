// Directories and files that appear whole or not at all, so a crash (SIGKILL, power loss) during
// a save never leaves a half-written checkpoint under the name a later run trusts.
//
// AtomicDir: write everything into a fresh temporary sibling `NAME.tmp-PID`, then commit():
// fsync every file and directory inside it, then swap it in with renameat2(RENAME_EXCHANGE)
// when NAME already exists (one atomic step: readers see the old or the new directory, never
// neither), or rename(2) when it does not; fsync the parent; delete the old contents. Leftover
// `NAME.tmp-*` siblings from a crashed save are removed by the next AtomicDir on that NAME.
#pragma once

#include <filesystem>
#include <string>

namespace sftx::rt {

class AtomicDir {
 public:
  explicit AtomicDir(std::filesystem::path final_path);
  ~AtomicDir();  // removes the temporary directory unless committed
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;

  const std::filesystem::path& tmp() const { return tmp_; }  // write here
  void commit();

 private:
  std::filesystem::path final_, tmp_;
  bool committed_ = false;
};

// Writes `bytes` to `path` via `path.tmp-PID`, fsync, rename, fsync of the directory.
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes);

// fsync of a file or directory; throws std::runtime_error naming the path on failure.
void fsync_path(const std::filesystem::path& path);

}  // namespace sftx::rt
