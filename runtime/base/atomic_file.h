// Files and directories that appear whole or not at all, so a crash (SIGKILL, power loss) during
// a write never leaves half a file or half a checkpoint under the name a later run trusts. Every
// replacement in sftx goes through here.
//
// The recipe: write into a temporary sibling `NAME.tmp-PID`, fsync it (every file and directory
// inside, for a directory), rename it onto NAME, fsync the parent. A rename is only atomic *and
// durable* when the contents and the directories involved are fsynced first (ext4 data=ordered
// is not a promise other filesystems make).
//
// AtomicFile: the caller writes tmp() however it likes (a stream, a FILE*, a library that takes a
// path), then commit(). AtomicDir: the same for a directory; an existing NAME is swapped with
// renameat2(RENAME_EXCHANGE) (one atomic step: readers see the old or the new directory, never
// neither) and its old contents deleted. Leftover `NAME.tmp-*` siblings from a crashed write are
// removed by the next AtomicDir on that NAME. Both remove their temporary unless committed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace sftx::rt {

// What AtomicFile and AtomicDir share: the final path, the temporary sibling, and the removal
// of the temporary (file or directory) unless committed.
class AtomicPath {
 public:
  AtomicPath(const AtomicPath&) = delete;
  AtomicPath& operator=(const AtomicPath&) = delete;
  const std::filesystem::path& tmp() const { return tmp_; }  // write here
  const std::filesystem::path& path() const { return final_; }

 protected:
  explicit AtomicPath(std::filesystem::path final_path);  // tmp(): `NAME.tmp-PID`
  ~AtomicPath();
  std::filesystem::path final_, tmp_;
  bool committed_ = false;
};

class AtomicFile : public AtomicPath {
 public:
  // Creates the parent directories of final_path.
  explicit AtomicFile(std::filesystem::path final_path);
  // fsync, rename onto path(), fsync of the directory; throws std::runtime_error naming the path.
  void commit();
};

class AtomicDir : public AtomicPath {
 public:
  // Creates tmp() (and the parent directories), removing debris of crashed writes.
  explicit AtomicDir(std::filesystem::path final_path);
  // fsync of everything inside, swap or rename onto path(), fsync of the parent.
  void commit();
};

// Writes `bytes` to `path` atomically (an AtomicFile); creates the parent directories.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// The recipe itself, for a temporary written somewhere other than beside `target` (the cache's
// staging directories): fsync of `complete` (every file and directory inside, for a directory),
// rename onto `target` (which must not be a non-empty directory), fsync of target's directory.
void move_into_place(const std::filesystem::path& complete, const std::filesystem::path& target);

// fsync of a file or directory; throws std::runtime_error naming the path on failure.
void fsync_path(const std::filesystem::path& path);
// fsyncs every file and directory under `dir`, and `dir` itself.
void fsync_tree(const std::filesystem::path& dir);

}  // namespace sftx::rt
