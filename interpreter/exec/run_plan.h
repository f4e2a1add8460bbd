// `sftx run` without the command line: execute a plan graph on a cache, write one run record
// per experiment, and return each experiment's Markdown table.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/executor.h"
#include "interpreter/front/plan_graph.h"

namespace sftx::exec {

struct RunPlanOptions {
  std::filesystem::path cache_dir;
  std::filesystem::path runs_dir;
  std::string file;              // the .sftx file, for the record
  std::string profile;
  std::string device = "cpu";    // cpu | cuda
  int jobs = 2;
  bool keep_going = false;
  std::FILE* progress_out = stderr;
  bool progress_tty = false;
  NodeFn node_fn;                // make_node_runner(...) for the real runtime
  ExecObserver* observer = nullptr;  // also told about every node (e.g. RunningNodes, for Ctrl-C)
};

struct ExperimentRun {
  std::string name;
  std::filesystem::path run_dir;
  std::string markdown;          // the report table; empty when the report did not run
  nlohmann::json record;         // run.json
  nlohmann::json claims = nlohmann::json::array();  // verdicts (claims.h), also in run.json
};

struct RunPlanResult {
  bool ok = true;                // every node executed or reused
  std::vector<ExperimentRun> experiments;
  std::vector<NodeRun> runs;     // per graph node, in PlanGraph order
};

// Throws GraphError for a malformed graph; node failures are in the result, not thrown.
RunPlanResult run_plan(const PlanGraph& plan, const RunPlanOptions& options);

}  // namespace sftx::exec
