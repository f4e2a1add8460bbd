// What the tests of every library share (header only; include as "tests/test_support.h"): a
// scratch directory per test, whole files written and read back, a shell command's output, the
// repository's own files.
// Before this header each test file carried its own copy of these.
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
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

// Tests that run the real sftx-worker find it through $SFTX_WORKER, which CTest sets; a test
// binary run by hand uses the worker beside it (the build directory holds both).
inline void ensure_worker_env() {
  if (std::getenv("SFTX_WORKER")) return;
  const std::filesystem::path beside = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "sftx-worker";
  ::setenv("SFTX_WORKER", beside.c_str(), 0);
}

// A file of this repository (tests/data/...), by its path from the repository root.
#ifdef SFTX_SOURCE_DIR
inline std::string repo_file(const std::string& rel) { return std::string(SFTX_SOURCE_DIR) + "/" + rel; }
#endif

// A SentencePiece ModelProto as the library writes it (up to ~100 pieces: one-byte lengths):
// `pieces` (field 1, each a message with piece = 1, score = 2), then a trainer_spec (field 2)
// holding a varint field. For checks that read a tokenizer's size without SentencePiece.
inline std::string sentencepiece_model(int pieces) {
  std::string out;
  for (int i = 0; i < pieces; ++i) {
    std::string piece = "p" + std::to_string(i);
    std::string msg;
    msg += static_cast<char>((1 << 3) | 2);
    msg += static_cast<char>(piece.size());
    msg += piece;
    msg += static_cast<char>((2 << 3) | 5);  // float score
    msg += std::string(4, '\0');
    out += static_cast<char>((1 << 3) | 2);
    out += static_cast<char>(msg.size());
    out += msg;
  }
  std::string spec = {static_cast<char>((3 << 3) | 0), static_cast<char>(0xe8), static_cast<char>(0x07)};  // 1000
  out += static_cast<char>((2 << 3) | 2);
  out += static_cast<char>(spec.size());
  out += spec;
  return out;
}

// A valid safetensors file with no tensors: an 8-byte header length, then the header "{}".
inline std::string empty_safetensors() { return std::string("\x02\0\0\0\0\0\0\0{}", 10); }

}  // namespace sftx::testing
