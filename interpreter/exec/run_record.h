// The record of one `sftx run` of one experiment (contract §8):
//
//   runs/<experiment>/<timestamp>/run.json
//     {"experiment", "file", "profile", "device", "executor" ("local" | "slurm"), "started",
//      "finished", "status" ("ok" | "failed"; "running" while Slurm jobs are not all done),
//      "nodes": [{"id", "kind", "op", "label", "key", "status", "seconds", "object",
//                 "outputs", "metrics" (train: the copied JSONL), "resumed_from_step" (train,
//                 when executed), "result" (eval), "error" (failed/skipped),
//                 "job" (Slurm: {"id", "state", "log"}, log relative to the run directory)}],
//      "table": "report/table.md",
//      "results": the report table over the evaluations that ran (report_table.h: with seeds,
//                 per-seed values and mean/std/n per plan and column),
//      "claims": [claim verdicts (claims.h)]}
//   runs/<experiment>/<timestamp>/metrics/<stage>.jsonl    per training stage
//   runs/<experiment>/<timestamp>/evals/<eval>.json        per evaluation
//   runs/<experiment>/<timestamp>/report/                  table.md/.csv/.json and plots
//   runs/<experiment>/latest -> <timestamp>
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/executor.h"
#include "interpreter/exec/graph.h"

namespace sftx::exec {

struct RunInfo {
  std::string experiment;
  std::string file;
  std::string profile;
  std::string device;
  std::string started;    // ISO 8601 UTC
  std::string finished;
  std::string executor = "local";
  // The experiment's results over the evaluations that ran (report_table.h: per-seed values
  // and their aggregates) and its claims' verdicts (claims.h); null/empty when it has none.
  nlohmann::json results;
  nlohmann::json claims = nlohmann::json::array();
};

// A file-system-safe version of a node id: "dmt(1/4).stage2" -> "dmt(1_4).stage2".
std::string file_safe_name(const std::string& id);

// Makes runs_dir/<experiment>/<UTC timestamp>[-N]/ (N when two runs start in one second).
std::filesystem::path make_run_dir(const std::filesystem::path& runs_dir, const std::string& experiment);

// Writes run.json and copies metrics, evaluation results and the report into `run_dir`, for
// the nodes in `members` (indices into the graph), in topological order; then points
// `latest` at run_dir. Returns the run.json it wrote.
nlohmann::json write_run_record(const std::filesystem::path& run_dir, const RunInfo& info, const ExecGraph& graph,
                                const std::vector<NodeRun>& runs, const std::vector<size_t>& members);

}  // namespace sftx::exec
