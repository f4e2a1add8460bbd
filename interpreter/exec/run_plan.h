// `sftx run` without the command line: execute a plan graph on a cache, write one run record
// per experiment, and return each experiment's Markdown table.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/executor.h"
#include "interpreter/exec/graph.h"
#include "interpreter/exec/run_record.h"
#include "interpreter/front/plan_graph.h"

namespace sftx::exec {

struct RunPlanOptions {
  std::filesystem::path cache_dir;
  std::filesystem::path runs_dir;
  std::string file;              // the .sftx file, for the record
  std::string profile;
  std::string device = "cpu";    // cpu | cuda
  int jobs = 2;
  int exclusive_slots = 1;       // training stages at once (sftx run --train-jobs)
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

// The nodes of one experiment: its report (or final stages) and everything they depend on.
std::vector<size_t> experiment_members(const PlanExperiment& x, const ExecGraph& graph);

// Writes each experiment's run record into run_dirs[i] (parallel to plan.experiments) from
// the node runs: run.json, metrics, evaluations, the report and the claims' verdicts. `info`
// gives file, profile, device, times and executor; experiment, results and claims are filled
// in per experiment. Used by run_plan, and by the Slurm executor once its jobs are done.
std::vector<ExperimentRun> write_experiment_records(const PlanGraph& plan, const ExecGraph& graph,
                                                    const std::vector<NodeRun>& runs,
                                                    const std::vector<std::filesystem::path>& run_dirs,
                                                    const RunInfo& info);

}  // namespace sftx::exec
