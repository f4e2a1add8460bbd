// Helpers for the sftx_data tests: a scratch directory removed at the end, file writing and
// reading of records. Test-only (included by *_test.cc files).
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "runtime/data/record_io.h"

namespace sftx::rt::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("sftx_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::vector<Record> read_records(const std::string& path) {
  std::vector<Record> out;
  for_each_record(path, [&](Record&& r, int64_t) { out.push_back(std::move(r)); });
  return out;
}

inline Record make_record(const std::string& user, const std::string& assistant, const std::string& origin = "") {
  Record r;
  r.messages = {{"user", user}, {"assistant", assistant}};
  r.source = "test";
  r.origin = origin;
  return r;
}

inline std::string write_records(const TempDir& dir, const std::string& name, const std::vector<Record>& records) {
  RecordWriter w(dir.file(name));
  for (const auto& r : records) w.write(r);
  w.close();
  return dir.file(name);
}

// Source directory of the repository (for tests/data files).
inline std::string repo_file(const std::string& rel) { return std::string(SFTX_SOURCE_DIR) + "/" + rel; }

}  // namespace sftx::rt::testing
