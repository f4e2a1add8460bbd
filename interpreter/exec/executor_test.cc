#include "interpreter/exec/executor.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "interpreter/exec/test_support.h"

using namespace sftx;
using namespace sftx::exec;
using sftx::exec::testing::make_node;
using sftx::exec::testing::read_file;
using sftx::exec::testing::TempDir;
using sftx::exec::testing::write_file;
namespace fs = std::filesystem;

namespace {

PlanGraph small_plan() {
  PlanGraph g;
  auto add = [&](const std::string& id, const std::string& kind, std::vector<std::string> in) {
    g.nodes.push_back(make_node(id, kind, kind == "train" ? "train" : "mix", in, g));
  };
  add("a", "data", {});
  add("b", "data", {});
  add("ab", "data", {"a", "b"});
  add("t1", "train", {"ab"});
  add("t2", "train", {"t1", "b"});
  add("c", "data", {});
  return g;
}

// A real node function: each node writes out.txt = its id + its inputs' out.txt, so a wrong
// input order or a missing input shows in the bytes.
struct ConcatFn {
  std::atomic<int> calls{0};
  std::string fail_on;
  std::mutex mu;
  std::vector<std::string> order;
  nlohmann::json operator()(const NodeJob& job) {
    ++calls;
    {
      std::lock_guard<std::mutex> g(mu);
      order.push_back(job.node.id);
    }
    if (job.node.id == fail_on) throw std::runtime_error("boom in " + job.node.id);
    std::string text = job.node.id + "(";
    for (const auto& in : job.inputs) text += read_file(in.dir / "out.txt");
    text += ")";
    write_file(job.out_dir / "out.txt", text);
    return {{"length", text.size()}};
  }
};

NodeFn wrap(ConcatFn& f) {
  return [&f](const NodeJob& j) { return f(j); };
}

struct RecordingObserver : ExecObserver {
  std::mutex mu;
  std::vector<std::string> warnings;
  void warning(const std::string& m) override {
    std::lock_guard<std::mutex> g(mu);
    warnings.push_back(m);
  }
};

}  // namespace

TEST_CASE("every node runs once, inputs first, and a second run reuses all", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  ExecGraph g(small_plan());
  ConcatFn fn;
  auto runs = Executor(g, store, wrap(fn), {}).run();
  CHECK(fn.calls == 6);
  for (size_t v = 0; v < g.size(); ++v) CHECK(runs[v].status == NodeStatus::executed);
  CHECK(read_file(runs[g.index_of("t2")].dir / "out.txt") == "t2(t1(ab(a()b()))b())");
  CHECK(runs[g.index_of("t2")].outputs["length"] == 21);

  ConcatFn again;
  auto second = Executor(g, store, wrap(again), {}).run();
  CHECK(again.calls == 0);
  for (size_t v = 0; v < g.size(); ++v) {
    CHECK(second[v].status == NodeStatus::reused);
    CHECK(second[v].outputs == runs[v].outputs);
  }
}

TEST_CASE("a failure skips its dependents, keep_going still runs the rest", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  ExecGraph g(small_plan());
  ConcatFn fn;
  fn.fail_on = "ab";
  ExecOptions opt;
  opt.jobs = 1;
  opt.keep_going = true;
  auto runs = Executor(g, store, wrap(fn), opt).run();
  CHECK(runs[g.index_of("ab")].status == NodeStatus::failed);
  CHECK(runs[g.index_of("ab")].error == "boom in ab");
  CHECK(runs[g.index_of("t1")].status == NodeStatus::skipped);
  CHECK(runs[g.index_of("t2")].status == NodeStatus::skipped);
  CHECK(runs[g.index_of("c")].status == NodeStatus::executed);
  CHECK(runs[g.index_of("a")].status == NodeStatus::executed);
  // The failed node left nothing in the cache or in tmp/.
  CHECK(store.check(g.node(g.index_of("ab")).key).status == ObjectCheck::Status::missing);
  CHECK(fs::is_empty(store.root() / "tmp"));
}

TEST_CASE("without keep_going nothing new starts after a failure", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  ExecGraph g(small_plan());
  ConcatFn fn;
  size_t first = g.topological_order().front();
  fn.fail_on = g.node(first).id;
  ExecOptions opt;
  opt.jobs = 1;
  auto runs = Executor(g, store, wrap(fn), opt).run();
  CHECK(fn.calls == 1);  // jobs = 1: the first node fails and nothing else starts
  CHECK(runs[first].status == NodeStatus::failed);
  for (size_t v = 0; v < g.size(); ++v)
    if (v != first) CHECK(runs[v].status == NodeStatus::skipped);
}

TEST_CASE("only what the wanted node needs runs", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  ExecGraph g(small_plan());
  ConcatFn fn;
  auto runs = Executor(g, store, wrap(fn), {}).run({g.index_of("t1")});
  CHECK(fn.calls == 4);
  CHECK(runs[g.index_of("c")].status == NodeStatus::pending);
  CHECK(runs[g.index_of("t2")].status == NodeStatus::pending);
}

TEST_CASE("a corrupt object is reported and rebuilt, not loaded", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  ExecGraph g(small_plan());
  ConcatFn fn;
  Executor(g, store, wrap(fn), {}).run();
  const PlanNode& ab = g.node(g.index_of("ab"));
  write_file(store.object_dir(ab.key) / "out.txt", "ab(XXXXXX)");

  ConcatFn again;
  RecordingObserver obs;
  auto runs = Executor(g, store, wrap(again), {}, &obs).run();
  CHECK(again.calls == 1);
  CHECK(runs[g.index_of("ab")].status == NodeStatus::executed);
  CHECK(runs[g.index_of("t1")].status == NodeStatus::reused);
  REQUIRE(obs.warnings.size() == 1);
  CHECK(obs.warnings[0] == "cache object " + ab.key + " is corrupt (file out.txt: digest mismatch); rebuilding");
  CHECK(read_file(store.object_dir(ab.key) / "out.txt") == "ab(a()b())");
}

TEST_CASE("exclusive nodes never overlap while data nodes run beside them", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  PlanGraph p;
  for (int i = 0; i < 4; ++i) p.nodes.push_back(make_node("t" + std::to_string(i), "train", "train", {}, p));
  for (int i = 0; i < 4; ++i) p.nodes.push_back(make_node("d" + std::to_string(i), "data", "mix", {}, p));
  ExecGraph g(p);
  std::atomic<int> trains{0}, max_trains{0}, all{0}, max_all{0};
  NodeFn fn = [&](const NodeJob& job) {
    bool train = job.node.kind == "train";
    int now_all = ++all;
    max_all = std::max(max_all.load(), now_all);
    if (train) {
      int now = ++trains;
      max_trains = std::max(max_trains.load(), now);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    if (train) --trains;
    --all;
    write_file(job.out_dir / "x", job.node.id);
    return nlohmann::json::object();
  };
  ExecOptions opt;
  opt.jobs = 3;
  auto runs = Executor(g, store, fn, opt).run();
  for (const auto& r : runs) CHECK(r.status == NodeStatus::executed);
  CHECK(max_trains == 1);
  CHECK(max_all >= 2);
  CHECK(max_all <= 3);
}

TEST_CASE("exclusive_slots lets that many exclusive nodes run at once, never more", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  PlanGraph p;
  for (int i = 0; i < 6; ++i) p.nodes.push_back(make_node("t" + std::to_string(i), "train", "train", {}, p));
  ExecGraph g(p);
  std::atomic<int> trains{0}, max_trains{0};
  NodeFn fn = [&](const NodeJob& job) {
    const int now = ++trains;
    max_trains = std::max(max_trains.load(), now);
    // Wait (bounded) for a second one to start: both slots are used if the executor allows it.
    for (int i = 0; i < 200 && trains.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    --trains;
    write_file(job.out_dir / "x", job.node.id);
    return nlohmann::json::object();
  };
  ExecOptions opt;
  opt.jobs = 4;
  opt.exclusive_slots = 2;  // sftx run --train-jobs 2
  auto runs = Executor(g, store, fn, opt).run();
  for (const auto& r : runs) CHECK(r.status == NodeStatus::executed);
  CHECK(max_trains == 2);
}

TEST_CASE("a node another process is building does not hold up the free ones", "[exec][executor][lock]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  PlanGraph p;
  p.nodes.push_back(make_node("free", "train", "train", {}, p));
  p.nodes.push_back(make_node("busy", "train", "train", {}, p));
  ExecGraph g(p);
  REQUIRE(g.topological_order().front() == g.index_of("busy"));  // the executor comes to busy first
  // "Another process" holds busy's lock; it lets go when free has run, or after 5 s at the
  // latest (so that the old behaviour, waiting on busy with the one training slot, ends too).
  std::mutex m;
  std::optional<KeyLock> held = store.try_lock(g.node(g.index_of("busy")).key);
  REQUIRE(held);
  std::atomic<bool> released{false};
  auto release = [&] {
    std::lock_guard<std::mutex> guard(m);
    held.reset();
    released = true;
  };
  std::thread watchdog([&] {
    for (int i = 0; i < 500 && !released; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    release();
  });
  std::vector<std::string> order;
  NodeFn fn = [&](const NodeJob& job) {
    {
      std::lock_guard<std::mutex> guard(m);
      order.push_back(job.node.id);
    }
    if (job.node.id == "free") release();
    write_file(job.out_dir / "x", job.node.id);
    return nlohmann::json::object();
  };
  ExecOptions opt;
  opt.jobs = 2;  // one exclusive slot: the default
  auto runs = Executor(g, store, fn, opt).run();
  watchdog.join();
  for (const auto& r : runs) CHECK(r.status == NodeStatus::executed);
  CHECK(order == std::vector<std::string>{"free", "busy"});
}

TEST_CASE("two processes on one cache build each node once", "[exec][executor][lock]") {
  TempDir tmp;
  fs::path log = tmp.path() / "builds.log";
  PlanGraph plan = small_plan();
  auto run_in_child = [&]() -> pid_t {
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    int rc = 0;
    try {
      CacheStore store(tmp.path() / "cache");
      ExecGraph g(plan);
      NodeFn fn = [&](const NodeJob& job) {
        {  // O_APPEND writes of one short line are atomic between processes
          std::ofstream out(log, std::ios::app);
          out << job.node.id << "\n";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        write_file(job.out_dir / "out.txt", job.node.id);
        return nlohmann::json::object();
      };
      auto runs = Executor(g, store, fn, {}).run();
      for (const auto& r : runs)
        if (r.status != NodeStatus::executed && r.status != NodeStatus::reused) rc = 1;
    } catch (...) {
      rc = 2;
    }
    ::_exit(rc);
  };
  pid_t p1 = run_in_child(), p2 = run_in_child();
  for (pid_t p : {p1, p2}) {
    int status = 0;
    REQUIRE(::waitpid(p, &status, 0) == p);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::ifstream in(log);
  std::vector<std::string> built;
  for (std::string line; std::getline(in, line);) built.push_back(line);
  std::sort(built.begin(), built.end());
  CHECK(built == std::vector<std::string>{"a", "ab", "b", "c", "t1", "t2"});
}

TEST_CASE("executor: run_node runs one node from its inputs' cache objects", "[exec][executor][slurm]") {
  TempDir tmp;
  PlanGraph plan = small_plan();
  ExecGraph graph(plan);
  CacheStore store(tmp.path() / "cache");
  ConcatFn fn;
  Executor ex(graph, store, wrap(fn), ExecOptions{});

  // t1's input "ab" is not built yet: the node fails without calling the node function.
  NodeRun early = ex.run_node(graph.index_of("t1"));
  CHECK(early.status == NodeStatus::failed);
  CHECK(early.error.find("its input 'ab' is not in the cache") != std::string::npos);
  CHECK(fn.calls == 0);

  // Node by node, as Slurm jobs would run them.
  for (const char* id : {"a", "b", "ab", "t1"}) CHECK(ex.run_node(graph.index_of(id)).status == NodeStatus::executed);
  CHECK(read_file(store.object_dir(graph.node(graph.index_of("t1")).key) / "out.txt") == "t1(ab(a()b()))");
  NodeRun again = ex.run_node(graph.index_of("t1"));
  CHECK(again.status == NodeStatus::reused);
  CHECK(again.outputs["length"] == 14);
  CHECK(fn.calls == 4);
}

TEST_CASE("a node's warnings reach the observer once, with its label, when it is built", "[exec][executor]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  ExecGraph g(small_plan());
  ConcatFn fn;
  auto warn_on_ab = [&fn](const NodeJob& j) {
    nlohmann::json out = fn(j);
    if (j.node.id == "ab") out["warnings"] = {"2 of 5 records train nothing"};
    return out;
  };
  RecordingObserver obs;
  Executor(g, store, warn_on_ab, {}, &obs).run();
  REQUIRE(obs.warnings.size() == 1);
  CHECK(obs.warnings[0] == g.node(g.index_of("ab")).label + ": 2 of 5 records train nothing");

  RecordingObserver again;
  Executor(g, store, warn_on_ab, {}, &again).run();
  CHECK(again.warnings.empty());  // reused: said when it was built
}
