// Helpers for the sftx_data tests: records written and read back (the scratch directory and
// file helpers are the shared ones of tests/test_support.h). Test-only.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/data/record_io.h"
#include "tests/test_support.h"

namespace sftx::rt::testing {

using sftx::testing::TempDir;
using sftx::testing::repo_file;

inline std::vector<Record> read_records(const std::string& path) {
  std::vector<Record> out;
  for_each_record(path, [&](Record&& r, int64_t) { out.push_back(std::move(r)); });
  return out;
}

// The origin of each record of a records file, in order.
inline std::vector<std::string> origins(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& r : read_records(path)) out.push_back(r.origin);
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

}  // namespace sftx::rt::testing
