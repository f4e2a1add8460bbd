// Helpers shared by the exec unit tests: a fresh temporary directory per test and small
// plan graphs built by hand (the front end's output shape, without the front end).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "interpreter/front/plan_graph.h"

namespace sftx::exec::testing {

// mkdtemp under $TMPDIR; removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A node whose key is the SHA-256 of its id and its inputs' keys (as the front end's keys are).
PlanNode make_node(const std::string& id, const std::string& kind, const std::string& op,
                   const std::vector<std::string>& inputs, const PlanGraph& so_far);

void write_text(const std::filesystem::path& file, const std::string& text);
std::string read_text(const std::filesystem::path& file);

}  // namespace sftx::exec::testing
