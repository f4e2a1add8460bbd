#include "interpreter/exec/executor.h"

#include "runtime/data/data_error.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sftx::exec {
namespace fs = std::filesystem;

const char* to_string(NodeStatus s) {
  switch (s) {
    case NodeStatus::pending: return "pending";
    case NodeStatus::running: return "running";
    case NodeStatus::executed: return "executed";
    case NodeStatus::reused: return "reused";
    case NodeStatus::failed: return "failed";
    case NodeStatus::skipped: return "skipped";
  }
  return "?";
}

namespace {

bool succeeded(NodeStatus s) { return s == NodeStatus::executed || s == NodeStatus::reused; }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Executor::Executor(const ExecGraph& graph, CacheStore& store, NodeFn fn, ExecOptions options,
                   ExecObserver* observer)
    : graph_(graph), store_(store), fn_(std::move(fn)), options_(std::move(options)), observer_(observer) {
  if (options_.jobs < 1) options_.jobs = 1;
  if (options_.exclusive_slots < 1) options_.exclusive_slots = 1;
}

NodeRun Executor::run_one(size_t index, std::vector<NodeInput> inputs, std::optional<KeyLock> lock) {
  const PlanNode& node = graph_.node(index);
  auto t0 = std::chrono::steady_clock::now();
  NodeRun result;
  auto reuse = [&](const ObjectCheck& c) {
    result.status = NodeStatus::reused;
    result.dir = store_.object_dir(node.key);
    result.outputs = c.manifest.outputs;
    result.seconds = seconds_since(t0);
    store_.remember(node.id, node.key, node.description);
    return result;
  };
  auto warn_corrupt = [&](const ObjectCheck& c) {
    if (observer_)
      observer_->warning("cache object " + node.key + " is corrupt (" + c.problem + "); rebuilding");
  };

  fs::path staging;
  try {
    ObjectCheck first = store_.check(node.key);
    if (first.status == ObjectCheck::Status::valid) return reuse(first);
    bool warned = false;
    if (first.status == ObjectCheck::Status::corrupt) {
      warn_corrupt(first);
      warned = true;
    }
    if (!lock) lock.emplace(store_.lock(node.key));
    // Another process may have built (or rebuilt) it while we waited for the lock.
    ObjectCheck second = store_.check(node.key);
    if (second.status == ObjectCheck::Status::valid) return reuse(second);
    if (second.status == ObjectCheck::Status::corrupt && !warned) warn_corrupt(second);

    if (observer_) observer_->started(node);
    staging = store_.make_staging(node.key);
    NodeJob job{node, std::move(inputs), staging, store_.work_dir(node.key),
                [this, &node](const rt::Progress& p) {
                  if (observer_) observer_->progress(node, p);
                }};
    nlohmann::json outputs = fn_(job);
    if (!outputs.is_object()) outputs = nlohmann::json::object();
    // A node may report what the user should know about its input ("warnings": [...]); said once,
    // when it is built (a reused object's manifest keeps them).
    if (observer_ && outputs.contains("warnings") && outputs["warnings"].is_array())
      for (const auto& w : outputs["warnings"])
        if (w.is_string()) observer_->warning(node.label + ": " + w.get<std::string>());

    StoreRequest req;
    req.key = node.key;
    req.node_id = node.id;
    req.op = node.op;
    req.label = node.label;
    req.description = node.description;
    for (const auto& in : job.inputs) req.input_keys.push_back(in.node->key);
    req.outputs = outputs;
    req.duration_s = seconds_since(t0);
    store_.commit(staging, req);
    store_.remember(node.id, node.key, node.description);
    std::error_code ec;
    fs::remove_all(store_.work_dir(node.key), ec);  // finished: resume state is no longer needed

    result.status = NodeStatus::executed;
    result.dir = store_.object_dir(node.key);
    result.outputs = std::move(outputs);
  } catch (const std::exception& e) {
    result.status = NodeStatus::failed;
    result.error = e.what();
    result.input_error = dynamic_cast<const rt::DataError*>(&e) != nullptr;
    if (!staging.empty()) {
      std::error_code ec;
      fs::remove_all(staging, ec);
    }
  }
  result.seconds = seconds_since(t0);
  return result;
}

NodeRun Executor::run_node(size_t index) {
  std::vector<NodeInput> inputs;
  for (size_t in : graph_.inputs_of(index)) {
    const PlanNode& input = graph_.node(in);
    ObjectCheck c = store_.check(input.key);
    if (c.status != ObjectCheck::Status::valid) {
      NodeRun failed;
      failed.status = NodeStatus::failed;
      failed.error = "its input '" + input.id + "' is not in the cache (" +
                     (c.status == ObjectCheck::Status::missing ? "missing" : c.problem) + ")";
      if (observer_) observer_->finished(graph_.node(index), failed);
      return failed;
    }
    inputs.push_back({&input, store_.object_dir(input.key), c.manifest.outputs});
  }
  NodeRun r = run_one(index, std::move(inputs));
  if (observer_) observer_->finished(graph_.node(index), r);
  return r;
}

std::vector<NodeRun> Executor::run(const std::set<size_t>& wanted) {
  const size_t n = graph_.size();
  std::vector<bool> selected(n, wanted.empty());
  for (size_t w : wanted) {
    selected[w] = true;
    for (size_t a : graph_.ancestors_of(w)) selected[a] = true;
  }

  std::vector<NodeRun> runs(n);
  std::mutex mu;
  std::condition_variable cv;
  int running = 0, running_exclusive = 0;
  bool stopping = false;
  std::vector<std::thread> threads;
  // A node whose key another process is building (its lock is taken) is not waited for while
  // other nodes can run: it is tried again after kBusyRetry. Two runs that share stages (a
  // k sweep started beside Table 1) then each train what the other is not training.
  using Clock = std::chrono::steady_clock;
  constexpr auto kBusyRetry = std::chrono::seconds(1);
  std::vector<Clock::time_point> retry_at(n, Clock::time_point::min());

  std::unique_lock<std::mutex> lk(mu);
  for (;;) {
    bool started_any = false;
    std::optional<Clock::time_point> next_retry;
    for (size_t v : graph_.topological_order()) {
      if (!selected[v] || runs[v].status != NodeStatus::pending) continue;
      const PlanNode& node = graph_.node(v);
      // Inputs first: a failed or skipped input skips this node (topological order carries
      // the skip down the graph within one pass).
      bool ready = true;
      std::string blocked_by;
      for (size_t in : graph_.inputs_of(v)) {
        NodeStatus s = runs[in].status;
        if (s == NodeStatus::failed || s == NodeStatus::skipped) blocked_by = graph_.node(in).id;
        else if (!succeeded(s)) ready = false;
      }
      if (!blocked_by.empty()) {
        runs[v].status = NodeStatus::skipped;
        runs[v].error = "not run: its input '" + blocked_by + "' did not complete";
        if (observer_) observer_->finished(node, runs[v]);
        continue;
      }
      if (!ready || stopping || running >= options_.jobs) continue;
      bool exclusive = options_.is_exclusive && options_.is_exclusive(node);
      if (exclusive && running_exclusive >= options_.exclusive_slots) continue;
      const auto now = Clock::now();
      if (now < retry_at[v]) {
        next_retry = std::min(next_retry.value_or(retry_at[v]), retry_at[v]);
        continue;
      }
      // Only a node to build takes the lock here (a reused one needs none: a read-only cache works).
      // Sizes only: run_one verifies the digests once; an object corrupt beyond its sizes is
      // locked there, waiting.
      std::optional<KeyLock> lock;
      bool busy = false;
      try {
        if (store_.check(node.key, /*digests=*/false).status != ObjectCheck::Status::valid) {
          lock = store_.try_lock(node.key);
          busy = !lock;
        }
      } catch (const std::exception&) {
        // A lock that cannot be written: run_one takes it again and reports the node failed.
      }
      if (busy) {
        retry_at[v] = now + kBusyRetry;
        next_retry = std::min(next_retry.value_or(retry_at[v]), retry_at[v]);
        continue;
      }

      std::vector<NodeInput> inputs;
      for (size_t in : graph_.inputs_of(v)) inputs.push_back({&graph_.node(in), runs[in].dir, runs[in].outputs});
      runs[v].status = NodeStatus::running;
      ++running;
      if (exclusive) ++running_exclusive;
      started_any = true;
      threads.emplace_back([this, v, exclusive, inputs = std::move(inputs), lock = std::move(lock), &runs, &mu, &cv,
                            &running, &running_exclusive, &stopping]() mutable {
        NodeRun r = run_one(v, std::move(inputs), std::move(lock));
        if (observer_) observer_->finished(graph_.node(v), r);
        std::lock_guard<std::mutex> g(mu);
        if (r.status == NodeStatus::failed && !options_.keep_going) stopping = true;
        runs[v] = std::move(r);
        --running;
        if (exclusive) --running_exclusive;
        cv.notify_all();
      });
    }
    if (started_any) continue;
    if (next_retry) cv.wait_until(lk, *next_retry);  // a busy node to try again (or a node ended)
    else if (running == 0) break;
    else cv.wait(lk);
  }
  lk.unlock();
  for (auto& t : threads) t.join();

  for (size_t v = 0; v < n; ++v) {
    if (selected[v] && runs[v].status == NodeStatus::pending) {
      runs[v].status = NodeStatus::skipped;
      runs[v].error = "not run: the run stopped after a failure (--keep-going runs independent nodes)";
      if (observer_) observer_->finished(graph_.node(v), runs[v]);
    }
  }
  return runs;
}

}  // namespace sftx::exec
