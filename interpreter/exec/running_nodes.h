// What `sftx run` is doing right now, for the one moment it matters: when the user presses
// Ctrl-C. An observer of the executor keeps the running nodes and their last progress;
// interrupted_message() says what was stopped and what a rerun will do — a training stage
// resumes from its last checkpoint (work/<key>/state/state.json in the cache, written by the
// trainer every save_every steps), anything else runs again, and finished nodes are reused.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "interpreter/exec/executor.h"

namespace sftx::exec {

class RunningNodes : public ExecObserver {
 public:
  void started(const PlanNode& node) override;
  void progress(const PlanNode& node, const rt::Progress& p) override;
  void finished(const PlanNode& node, const NodeRun& run) override;

  // `work_dir(key)`: the node's resume directory (CacheStore::work_dir). Thread-safe.
  std::string interrupted_message(const std::function<std::filesystem::path(const std::string&)>& work_dir) const;

 private:
  struct Running {
    const PlanNode* node = nullptr;
    rt::Progress last;
  };
  mutable std::mutex mu_;
  std::map<std::string, Running> running_;  // by node id
  size_t finished_ = 0;
};

// The step of the trainer checkpoint in `work_dir` (state/state.json), if there is one.
std::optional<long long> checkpoint_step(const std::filesystem::path& work_dir);

}  // namespace sftx::exec
