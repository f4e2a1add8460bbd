#include "interpreter/exec/run_plan.h"

#include "interpreter/exec/cache_store.h"
#include "interpreter/exec/claims.h"
#include "interpreter/exec/graph.h"
#include "interpreter/exec/manifest.h"
#include "interpreter/exec/progress_display.h"
#include "interpreter/exec/report_table.h"
#include "interpreter/exec/run_record.h"

namespace sftx::exec {

namespace {

// The live display and the caller's observer, both told about every node.
class BothObservers : public ExecObserver {
 public:
  BothObservers(ExecObserver& first, ExecObserver* second) : first_(first), second_(second) {}
  void started(const PlanNode& node) override {
    first_.started(node);
    if (second_) second_->started(node);
  }
  void progress(const PlanNode& node, const rt::Progress& p) override {
    first_.progress(node, p);
    if (second_) second_->progress(node, p);
  }
  void finished(const PlanNode& node, const NodeRun& run) override {
    first_.finished(node, run);
    if (second_) second_->finished(node, run);
  }
  void warning(const std::string& message) override {
    first_.warning(message);
    if (second_) second_->warning(message);
  }

 private:
  ExecObserver& first_;
  ExecObserver* second_;
};

}  // namespace

RunPlanResult run_plan(const PlanGraph& plan, const RunPlanOptions& options) {
  ExecGraph graph(plan);
  CacheStore store(options.cache_dir);
  ExecOptions exec;
  exec.jobs = options.jobs;
  exec.exclusive_slots = options.exclusive_slots;
  exec.keep_going = options.keep_going;
  std::string started = utc_now_iso8601();

  RunPlanResult result;
  {
    ProgressDisplay display(options.progress_out, options.progress_tty, graph.size());
    BothObservers observers(display, options.observer);
    result.runs = Executor(graph, store, options.node_fn, exec, &observers).run();
  }
  std::string finished = utc_now_iso8601();
  for (const auto& r : result.runs)
    if (r.status != NodeStatus::executed && r.status != NodeStatus::reused) result.ok = false;

  std::vector<std::filesystem::path> run_dirs;
  for (const auto& x : plan.experiments) run_dirs.push_back(make_run_dir(options.runs_dir, x.name));
  RunInfo info;
  info.file = options.file;
  info.profile = options.profile;
  info.device = options.device;
  info.started = started;
  info.finished = finished;
  result.experiments = write_experiment_records(plan, graph, result.runs, run_dirs, info);
  return result;
}

std::vector<size_t> experiment_members(const PlanExperiment& x, const ExecGraph& graph) {
  std::vector<size_t> members;
  if (!x.report.empty()) {
    size_t report = graph.index_of(x.report);
    members.push_back(report);
    for (size_t a : graph.ancestors_of(report)) members.push_back(a);
  } else {  // no report: every final stage and what it needs
    for (const auto& f : x.finals) {
      size_t v = graph.index_of(f);
      members.push_back(v);
      for (size_t a : graph.ancestors_of(v)) members.push_back(a);
    }
  }
  return members;
}

std::vector<ExperimentRun> write_experiment_records(const PlanGraph& plan, const ExecGraph& graph,
                                                    const std::vector<NodeRun>& runs,
                                                    const std::vector<std::filesystem::path>& run_dirs,
                                                    const RunInfo& base) {
  std::vector<ExperimentRun> out;
  for (size_t i = 0; i < plan.experiments.size(); ++i) {
    const auto& x = plan.experiments[i];
    ExperimentRun er;
    er.name = x.name;
    er.run_dir = run_dirs.at(i);
    if (!x.report.empty()) {
      const NodeRun& rr = runs[graph.index_of(x.report)];
      if (rr.outputs.contains("markdown") && rr.outputs["markdown"].is_string())
        er.markdown = rr.outputs["markdown"].get<std::string>();
    }
    RunInfo info = base;
    info.experiment = x.name;
    if (!x.report.empty()) {
      // The table and claims over the evaluations that ran: when a node failed, the report
      // node did not run, yet its claims are reported (inconclusive where values are missing).
      const PlanNode& report = graph.node(graph.index_of(x.report));
      std::vector<NodeInput> inputs;
      for (const auto& id : report.inputs) {
        size_t v = graph.index_of(id);
        const NodeRun& r = runs[v];
        if (r.status == NodeStatus::executed || r.status == NodeStatus::reused)
          inputs.push_back({&graph.node(v), r.dir, r.outputs});
      }
      info.results = report_table(report, inputs);
      info.claims = check_claims(report.params.value("claims", nlohmann::json::array()), info.results);
      er.claims = info.claims;
    }
    er.record = write_run_record(er.run_dir, info, graph, runs, experiment_members(x, graph));
    out.push_back(std::move(er));
  }
  return out;
}

}  // namespace sftx::exec
