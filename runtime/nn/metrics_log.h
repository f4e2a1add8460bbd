// out_dir/metrics.jsonl: one JSON object per logged optimiser step, e.g.
//   {"step": 40, "epoch": 0.8, "loss": 2.31, "lr": 1.9e-05, "grad_norm": 0.87, "tokens_per_s": 5120}
// plus {"step": 40, "val_loss": 2.4, ...} lines at validation intervals. Lines are flushed as
// they are written, so a crashed run keeps every step it logged.
//
// Resume: steps after the restored trainer state will be trained again, so opening the log
// for a run resumed at step S first drops every line whose "step" is > S (rewriting the file
// atomically) and then appends. The finished file is the same as an uninterrupted run's, up
// to timing fields.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace sftx::rt {

class MetricsLog {
 public:
  // Fresh run (resume_step < 0): truncates. Resumed run: keeps lines with step <= resume_step.
  MetricsLog(std::string path, int64_t resume_step);
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;

  void write(const nlohmann::json& line);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace sftx::rt
