// Durability helpers: a rename is only atomic *and durable* when the file contents and the
// directories involved are fsynced first (ext4 data=ordered is not a promise other
// filesystems make).
#pragma once

#include <filesystem>
#include <string>

namespace sftx::exec {

// fsync on a file or a directory; throws std::runtime_error naming the path on failure.
void fsync_path(const std::filesystem::path& path);

// fsyncs every file and directory under `dir`, and `dir` itself.
void fsync_tree(const std::filesystem::path& dir);

// Writes `text` to `file` via file.tmp + fsync + rename: readers see the old or the new file.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace sftx::exec
