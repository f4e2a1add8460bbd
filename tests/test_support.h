// What the tests of every library share (header only; include as "tests/test_support.h"): a
// scratch directory per test, whole files written and read back, a shell command's output, the
// repository's own files.
// Before this header each test file carried its own copy of these.
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace sftx::testing {

// A fresh directory under $TMPDIR (mkdtemp: unique across processes and tests), removed with
// everything in it by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& label = "sftx-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (label + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path()/name as a string (the file need not exist).
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `text` to path()/name (creating directories on the way); returns its path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// Writes `text` to `file`, creating its directories.
inline void write_file(const std::filesystem::path& file, const std::string& text) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

// The whole file; "" when it cannot be read.
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Number of entries in a directory (a check that a write left no temporary files behind).
inline long entries_in(const std::filesystem::path& dir) {
  return std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator());
}

inline std::string TempDir::write(const std::string& name, const std::string& text) const {
  write_file(path_ / name, text);
  return file(name);
}

struct CommandOutput {
  int status = -1;  // the exit status; -1 when the command did not exit (a signal)
  std::string out;  // its standard output (add " 2>&1" to the command for its errors too)
};

// Runs `command` through /bin/sh and waits for it.
inline CommandOutput run_command(const std::string& command) {
  CommandOutput r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A file of this repository (tests/data/...), by its path from the repository root.
#ifdef SFTX_SOURCE_DIR
inline std::string repo_file(const std::string& rel) { return std::string(SFTX_SOURCE_DIR) + "/" + rel; }
#endif

}  // namespace sftx::testing
