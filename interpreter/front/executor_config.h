// sftx.toml's [executor] table: where `sftx run` runs the graph (docs/distributed.md).
//
//   [executor]
//   kind = "local"                  # local | slurm: what `sftx run` uses without --executor
//   partition = "gpu"               # sbatch --partition (default: the cluster's default)
//   account = "proj42"              # sbatch --account
//   time = "4:00:00"                # sbatch --time, per job
//   cpus_per_task = 8               # sbatch --cpus-per-task
//   gpus_per_task = 1               # sbatch --gpus-per-task
//   sbatch_args = ["--qos=high"]    # more sbatch options, passed as they are
//   shared_filesystem = false       # true: skip the check that cache and runs are shared
//   poll_seconds = 5                # how often a waiting `sftx run` asks Slurm
//
// Kept apart from ProjectConfig (config.h), which every front-end file includes: only
// `sftx run` needs these values. read_project_config still checks the table (unknown keys
// and wrong values are errors in `sftx check` too) by calling read_executor_config.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grammar/diagnostics.h"

namespace sftx {

struct ExecutorConfig {
  std::string kind = "local";          // local | slurm
  std::string partition;               // empty: the cluster's default partition
  std::string account;
  std::string time;
  int cpus_per_task = 0;               // 0: not passed
  int gpus_per_task = 0;
  std::vector<std::string> sbatch_args;
  bool shared_filesystem = false;
  double poll_seconds = 5;
  int partition_line = 0;              // where `partition` was written, for a later error
  int partition_column = 0;
};

// The [executor] table of `toml_file` (defaults without the file or the table). Errors go to
// `diags` with the file's line and column; returns nullopt then.
std::optional<ExecutorConfig> read_executor_config(const std::filesystem::path& toml_file, Diagnostics& diags);

}  // namespace sftx
