// Runs a plan graph: every node in dependency order, each either reused from the cache or
// built into it, data nodes beside training where the job count allows.
//
// How one node runs: verify the cached object (reuse it when intact; warn and rebuild when
// corrupt) -> take the key's lock -> look again (another `sftx run` may have built it while
// we waited) -> call the node function with a fresh staging directory -> commit the staging
// directory as the object. The node function is a parameter so the engine can be tested
// without the runtime; node_runner.h maps each op to runtime/api.h.
//
// Failure: a failed node's dependents are skipped. Without keep_going nothing new starts
// after a failure (nodes already running finish); with it, every node not depending on the
// failure still runs.
#pragma once

#include <filesystem>
#include <functional>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/exec/cache_store.h"
#include "interpreter/exec/graph.h"
#include "runtime/api.h"

namespace sftx::exec {

struct NodeInput {
  const PlanNode* node = nullptr;
  std::filesystem::path dir;                 // the input's cache object
  nlohmann::json outputs;                    // what the input reported
};

// What a node function gets: its node, its inputs' objects, where to write.
struct NodeJob {
  const PlanNode& node;
  std::vector<NodeInput> inputs;             // in node.inputs order
  std::filesystem::path out_dir;             // staging: the files written here become the object
  std::filesystem::path work_dir;            // survives a killed run (training's state/ for resume)
  rt::ProgressFn progress;
};
// Returns what the node reports (stored in the manifest's "outputs"); throws on failure.
using NodeFn = std::function<nlohmann::json(const NodeJob&)>;

enum class NodeStatus { pending, running, executed, reused, failed, skipped };
const char* to_string(NodeStatus s);

struct NodeRun {
  NodeStatus status = NodeStatus::pending;
  double seconds = 0;
  std::filesystem::path dir;                 // the object, when executed or reused
  nlohmann::json outputs = nlohmann::json::object();
  std::string error;                         // failed: what went wrong; skipped: why
  bool input_error = false;                  // failed on the user's input (rt::DataError): the
                                             // command exits 1 for it, as for a check error
  nlohmann::json job;                        // Slurm executor: {"id", "state", "log"}; null locally
};

// Told about each node as it runs; called from worker threads (implementations lock).
class ExecObserver {
 public:
  virtual ~ExecObserver() = default;
  virtual void started(const PlanNode& node) {}
  virtual void progress(const PlanNode& node, const rt::Progress& p) {}
  virtual void finished(const PlanNode& node, const NodeRun& run) {}
  virtual void warning(const std::string& message) {}
};

struct ExecOptions {
  int jobs = 2;                  // nodes running at once
  int exclusive_slots = 1;       // of those, how many may be exclusive nodes
  bool keep_going = false;
  // Exclusive nodes use every core themselves (training, and evaluation, which generates in
  // the worker): on CPU they run one at a time.
  std::function<bool(const PlanNode&)> is_exclusive = [](const PlanNode& n) {
    return n.kind == "train" || n.kind == "eval";
  };
};

class Executor {
 public:
  Executor(const ExecGraph& graph, CacheStore& store, NodeFn fn, ExecOptions options,
           ExecObserver* observer = nullptr);

  // Runs `wanted` and everything it depends on (all nodes when empty). Returns one NodeRun per
  // graph node (index as in the graph); nodes not wanted stay pending.
  std::vector<NodeRun> run(const std::set<size_t>& wanted = {});

  // Runs the node `index` alone, its inputs taken from the cache (a Slurm job: its inputs'
  // jobs finished before it started). An input missing from the cache fails the node.
  NodeRun run_node(size_t index);

 private:
  // `lock`: the key's lock when the caller already holds it (run() takes it without waiting, so
  // that a node another process is building does not hold up the nodes that are free).
  NodeRun run_one(size_t index, std::vector<NodeInput> inputs, std::optional<KeyLock> lock = std::nullopt);

  const ExecGraph& graph_;
  CacheStore& store_;
  NodeFn fn_;
  ExecOptions options_;
  ExecObserver* observer_;
};

}  // namespace sftx::exec
