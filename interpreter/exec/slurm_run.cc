#include "interpreter/exec/slurm_run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "interpreter/exec/cache_store.h"
#include "runtime/base/atomic_file.h"
#include "interpreter/exec/graph.h"
#include "interpreter/exec/key_lock.h"
#include "interpreter/exec/manifest.h"
#include "interpreter/exec/plan_json.h"
#include "interpreter/exec/progress_display.h"
#include "interpreter/exec/run_record.h"
#include "interpreter/exec/sha256.h"
#include "interpreter/exec/shared_fs.h"

namespace sftx::exec {
namespace fs = std::filesystem;

namespace {

constexpr const char* kStateFile = "slurm.json";
constexpr const char* kPlanFile = "plan.json";

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot read");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The id as one line of a shell comment and a job name.
std::string printable(const std::string& id) {
  std::string out;
  for (char c : id) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool done(NodeStatus s) { return s == NodeStatus::executed || s == NodeStatus::reused; }
bool broken(NodeStatus s) { return s == NodeStatus::failed || s == NodeStatus::skipped; }

}  // namespace

// ---- slurm.json ----

std::vector<std::string> SlurmRun::job_ids() const {
  std::vector<std::string> ids;
  for (const auto& n : nodes)
    if (!n.job_id.empty()) ids.push_back(n.job_id);
  return ids;
}

void SlurmRun::save() const {
  nlohmann::json nodes_json = nlohmann::json::array();
  for (const auto& n : nodes)
    nodes_json.push_back({{"id", n.id}, {"reused", n.reused}, {"job", n.job_id}, {"log", n.log.string()},
                          {"result", n.result.string()}, {"ntasks", n.ntasks}});
  nlohmann::json dirs = nlohmann::json::array();
  for (const auto& d : run_dirs) dirs.push_back(d.string());
  nlohmann::json j = {{"executor", "slurm"},
                      {"run_dirs", dirs},
                      {"cache", cache_dir.string()},
                      {"file", file},
                      {"profile", profile},
                      {"device", device},
                      {"started", started},
                      {"plan", (state_file.parent_path() / kPlanFile).string()},
                      {"nodes", nodes_json}};
  // The same in every experiment's run directory, so `sftx status` takes any of them.
  rt::write_file_atomic(state_file, j.dump(2) + "\n");
  for (const auto& d : run_dirs)
    if (d != state_file.parent_path()) rt::write_file_atomic(d / kStateFile, j.dump(2) + "\n");
}

const SlurmNodeEntry& SlurmRun::entry(const std::string& id) const {
  for (const auto& n : nodes)
    if (n.id == id) return n;
  throw std::runtime_error(state_file.string() + ": no node '" + id + "' in this run");
}

SlurmRun SlurmRun::load(const fs::path& where) {
  fs::path file = fs::is_directory(where) ? where / kStateFile : where;
  if (!fs::exists(file)) {
    if (fs::exists(where / "run.json"))
      throw std::runtime_error(where.string() + " is a local run (no " + kStateFile +
                               "): it finished when its `sftx run` returned; see its run.json");
    throw std::runtime_error(where.string() + ": not a run directory (no " + kStateFile + ")");
  }
  SlurmRun run;
  run.state_file = fs::canonical(file);
  try {
    auto j = nlohmann::json::parse(read_all(run.state_file));
    for (const auto& d : j.at("run_dirs")) run.run_dirs.push_back(d.get<std::string>());
    run.cache_dir = j.at("cache").get<std::string>();
    run.file = j.value("file", "");
    run.profile = j.value("profile", "");
    run.device = j.value("device", "cpu");
    run.started = j.value("started", "");
    run.plan = plan_from_json(nlohmann::json::parse(read_all(j.at("plan").get<std::string>())));
    for (const auto& n : j.at("nodes"))
      run.nodes.push_back({n.at("id").get<std::string>(), n.at("reused").get<bool>(), n.at("job").get<std::string>(),
                           n.at("log").get<std::string>(), n.at("result").get<std::string>(),
                           n.value("ntasks", 1)});
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(run.state_file.string() + ": malformed: " + e.what());
  }
  if (run.nodes.size() != run.plan.nodes.size())
    throw std::runtime_error(run.state_file.string() + ": its nodes do not match plan.json");
  return run;
}

// ---- submission ----

namespace {

std::vector<std::string> sbatch_options(const SlurmSettings& s) {
  std::vector<std::string> args;
  if (!s.partition.empty()) args.push_back("--partition=" + s.partition);
  if (!s.account.empty()) args.push_back("--account=" + s.account);
  if (!s.time.empty()) args.push_back("--time=" + s.time);
  if (s.cpus_per_task > 0) args.push_back("--cpus-per-task=" + std::to_string(s.cpus_per_task));
  if (s.gpus_per_task > 0) args.push_back("--gpus-per-task=" + std::to_string(s.gpus_per_task));
  args.insert(args.end(), s.sbatch_args.begin(), s.sbatch_args.end());
  return args;
}

void check_shared(const SlurmSubmitOptions& o, const SlurmClient& client) {
  if (o.slurm.shared_filesystem) return;
  std::vector<std::string> nodes = client.node_hosts(o.slurm.partition);
  std::string host = KeyLock::this_host();
  for (const auto& [what, path] : std::vector<std::pair<std::string, fs::path>>{
           {"the cache directory", o.cache_dir},
           {"the runs directory", o.runs_dir},
           {"the directory of the sftx binary", o.sftx_bin.parent_path()}}) {
    std::string problem = shared_fs_problem(what, path, filesystem_of(path), nodes, host);
    if (!problem.empty()) throw SlurmSetupError(SlurmSetupError::Kind::not_shared, problem);
  }
}

// A training stage's job asks for nproc tasks of cpus_per_task CPUs each: more than the whole
// partition has would wait forever (or be refused by sbatch half-way through the submission).
void check_capacity(const SlurmSubmitOptions& o, const SlurmClient& client) {
  const SlurmClient::Capacity c = client.capacity(o.slurm.partition);
  const long per_task = std::max(1, o.slurm.cpus_per_task);
  if (o.nproc * per_task <= c.cpus) return;
  std::string part = o.slurm.partition.empty() ? "the default partition" : "partition '" + o.slurm.partition + "'";
  std::string need = per_task > 1 ? std::to_string(o.nproc) + " tasks × " + std::to_string(per_task) +
                                        " CPUs (cpus_per_task) = " + std::to_string(o.nproc * per_task) + " CPUs"
                                  : std::to_string(o.nproc) + " CPUs, one per rank";
  throw SlurmSetupError(SlurmSetupError::Kind::too_many_ranks,
                        "--nproc " + std::to_string(o.nproc) + ": a training stage's job would need " + need + ", but " +
                            part + " has " + std::to_string(c.nodes) + " node(s) with " + std::to_string(c.cpus) +
                            " CPUs in all (sinfo); use --nproc " +
                            std::to_string(std::max<long>(1, c.cpus / per_task)) + " or fewer");
}

}  // namespace

SlurmRun submit_plan(const PlanGraph& plan, const SlurmSubmitOptions& o, const SlurmClient& client) {
  using Kind = SlurmSetupError::Kind;
  std::string why = client.unavailable();
  if (!why.empty()) throw SlurmSetupError(Kind::unavailable, why);
  try {
    std::string problem = unknown_partition_problem(o.slurm.partition, client.partitions());
    if (!problem.empty()) throw SlurmSetupError(Kind::partition, problem);
    check_shared(o, client);
    if (o.nproc > 1) check_capacity(o, client);
  } catch (const SlurmError& e) {
    throw SlurmSetupError(Kind::unavailable, e.what());
  }

  ExecGraph graph(plan);
  CacheStore store(o.cache_dir);
  SlurmRun run;
  run.cache_dir = fs::absolute(o.cache_dir);
  run.file = o.file;
  run.profile = o.profile;
  run.device = o.device;
  run.started = utc_now_iso8601();
  run.plan = plan;
  run.nodes.resize(graph.size());
  for (const auto& x : plan.experiments) run.run_dirs.push_back(make_run_dir(o.runs_dir, x.name));
  auto remove_run_dirs = [&] {
    std::error_code ec;
    for (const auto& d : run.run_dirs) {
      fs::remove_all(d, ec);
      fs::remove(d.parent_path(), ec);  // runs/<experiment>/, when this run was its only one
    }
  };
  fs::path first = run.run_dirs.empty() ? make_run_dir(o.runs_dir, "plan") : run.run_dirs.front();
  if (run.run_dirs.empty()) run.run_dirs.push_back(first);
  run.state_file = first / kStateFile;
  fs::create_directories(first / "jobs");
  rt::write_file_atomic(first / kPlanFile, plan_to_json(plan).dump(1) + "\n");

  std::vector<std::string> submitted;
  try {
    std::set<std::string> names;
    for (size_t v : graph.topological_order()) {
      const PlanNode& node = graph.node(v);
      SlurmNodeEntry& e = run.nodes[v];
      e.id = node.id;
      if (store.check(node.key).status == ObjectCheck::Status::valid) {
        e.reused = true;
        continue;
      }
      // Ids can be long (nested mixes): a name a filesystem takes, still readable and unique.
      std::string base = file_safe_name(node.id);
      if (base.size() > 100) base = base.substr(0, 80) + "-" + sha256_hex(node.id).substr(0, 12);
      std::string stem = base;
      for (int k = 2; !names.insert(stem).second; ++k) stem = base + "-" + std::to_string(k);
      fs::path script = first / "jobs" / (stem + ".sh");
      e.log = first / "jobs" / (stem + ".log");
      e.result = first / "jobs" / (stem + ".result.json");
      rt::write_file_atomic(script, "#!/bin/bash\n# sftx: node " + printable(node.id) + "\n# of " + run.state_file.string() +
                                        "\nexec " + shell_quote(o.sftx_bin.string()) + " _node " +
                                        shell_quote(run.state_file.string()) + " " + shell_quote(node.id) + "\n");
      fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add);

      std::vector<std::string> args = {"--hold", "--job-name=sftx:" + printable(node.id).substr(0, 120),
                                       "--output=" + e.log.string(), "--chdir=" + o.workdir.string()};
      std::string after;
      for (size_t in : graph.inputs_of(v))
        if (!run.nodes[in].job_id.empty()) after += ":" + run.nodes[in].job_id;
      if (!after.empty()) {
        args.push_back("--dependency=afterok" + after);
        args.push_back("--kill-on-invalid-dep=yes");
      }
      // A multi-rank training stage: one task per rank; its job trains through srun (slurm launcher).
      if (node.kind == "train" && o.nproc > 1) {
        e.ntasks = o.nproc;
        args.push_back("--ntasks=" + std::to_string(o.nproc));
      }
      auto more = sbatch_options(o.slurm);
      args.insert(args.end(), more.begin(), more.end());
      e.job_id = client.submit(args, script);
      submitted.push_back(e.job_id);
    }
    run.save();
    client.release(submitted);
  } catch (const std::exception& e) {
    std::string cancelled;
    try {
      client.cancel(submitted);
      for (const auto& id : submitted) cancelled += (cancelled.empty() ? "" : ", ") + id;
    } catch (const std::exception& c) {
      cancelled = std::string("cancelling them failed too: ") + c.what();
    }
    remove_run_dirs();
    std::string msg = e.what();
    if (!submitted.empty()) msg += "; the jobs already queued were cancelled (" + cancelled + ")";
    msg += "; nothing was submitted";
    throw SlurmSetupError(Kind::refused, msg);
  }
  record_run(run, refresh_run(run, client));
  return run;
}

// ---- states ----

namespace {

NodeRun from_result(const fs::path& file, const CacheStore& store, const PlanNode& node) {
  auto j = nlohmann::json::parse(read_all(file));
  NodeRun r;
  std::string s = j.at("status").get<std::string>();
  r.status = s == "executed" ? NodeStatus::executed : s == "reused" ? NodeStatus::reused : NodeStatus::failed;
  r.seconds = j.value("seconds", 0.0);
  r.error = j.value("error", "");
  r.input_error = j.value("input_error", false);
  r.outputs = j.value("outputs", nlohmann::json::object());
  if (done(r.status)) r.dir = store.object_dir(node.key);
  return r;
}

}  // namespace

SlurmProgress refresh_run(const SlurmRun& run, const SlurmClient& client) {
  ExecGraph graph(run.plan);
  CacheStore store(run.cache_dir);
  std::map<std::string, SlurmJobState> states = client.states(run.job_ids());
  SlurmProgress p;
  p.runs.resize(graph.size());
  std::vector<std::string> hopeless;
  for (size_t v : graph.topological_order()) {
    const PlanNode& node = graph.node(v);
    const SlurmNodeEntry& e = run.nodes[v];
    NodeRun& r = p.runs[v];
    if (e.reused) {
      r.status = NodeStatus::reused;
      r.dir = store.object_dir(node.key);
      if (auto m = store.read_manifest(node.key)) r.outputs = m->outputs;
      continue;
    }
    auto st = states.find(e.job_id);
    bool known = st != states.end();
    std::string state = known ? st->second.state : "";
    r.job = {{"id", e.job_id}, {"state", known ? state : "UNKNOWN"}, {"log", e.log.string()}};
    std::string blocked_by;
    for (size_t in : graph.inputs_of(v))
      if (broken(p.runs[in].status)) blocked_by = graph.node(in).id;

    bool final_state = !known || slurm_state_is_final(state);
    std::error_code ec;
    if (fs::exists(e.result, ec)) {
      try {
        NodeRun from = from_result(e.result, store, node);
        from.job = r.job;
        // The node is done but its job is still ending: running until Slurm says how it ended.
        if (!final_state) from.status = NodeStatus::running;
        r = std::move(from);
        continue;
      } catch (const std::exception&) {
        // Half-written on a slow filesystem: decide from Slurm below.
      }
    }
    if (!blocked_by.empty()) {
      r.status = NodeStatus::skipped;
      r.error = "not run: its input '" + blocked_by + "' did not complete";
      if (!final_state) hopeless.push_back(e.job_id);
      continue;
    }
    if (!final_state) {
      r.status = (state == "PENDING" || state == "CONFIGURING") ? NodeStatus::pending : NodeStatus::running;
      continue;
    }
    // Ended without a result file: the job never reached the end of the node.
    ObjectCheck c = store.check(node.key, false);
    if (c.status == ObjectCheck::Status::valid && (state == "COMPLETED" || !known)) {
      r.status = NodeStatus::executed;
      r.dir = store.object_dir(node.key);
      r.outputs = c.manifest.outputs;
      continue;
    }
    r.status = NodeStatus::failed;
    std::string detail = known ? state : std::string("no longer known to Slurm");
    if (known && !st->second.reason.empty() && st->second.reason != "None") detail += ", " + st->second.reason;
    if (known && !st->second.exit_code.empty() && st->second.exit_code != "0:0") detail += ", exit " + st->second.exit_code;
    r.error = "Slurm job " + e.job_id + " ended (" + detail + ") before the node finished; see " + e.log.string();
  }
  if (!hopeless.empty()) {
    try {
      client.cancel(hopeless);
    } catch (const std::exception&) {
      // Slurm cancels them itself (--kill-on-invalid-dep); this only saves it the wait.
    }
  }
  p.finished = true;
  for (const auto& r : p.runs)
    if (r.status == NodeStatus::pending || r.status == NodeStatus::running) p.finished = false;
  return p;
}

RunPlanResult record_run(const SlurmRun& run, const SlurmProgress& progress) {
  ExecGraph graph(run.plan);
  RunPlanResult result;
  result.runs = progress.runs;
  for (const auto& r : result.runs)
    if (!done(r.status)) result.ok = false;
  RunInfo info;
  info.file = run.file;
  info.profile = run.profile;
  info.device = run.device;
  info.started = run.started;
  info.finished = progress.finished ? utc_now_iso8601() : "";
  info.executor = "slurm";
  std::vector<fs::path> dirs = run.run_dirs;
  dirs.resize(run.plan.experiments.size(), run.run_dirs.front());
  result.experiments = write_experiment_records(run.plan, graph, result.runs, dirs, info);
  return result;
}

// ---- waiting ----

namespace {

// Prints the lines a running job has added to its log since the last look.
class LogFollower {
 public:
  void follow(const std::string& id, const fs::path& log, std::FILE* out) {
    std::ifstream in(log, std::ios::binary);
    if (!in) return;
    auto& offset = offsets_[log.string()];
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    if (size <= offset) return;
    in.seekg(offset);
    std::string chunk(static_cast<size_t>(size - offset), '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    size_t end = chunk.rfind('\n');
    if (end == std::string::npos) return;  // no whole line yet
    offset += static_cast<std::streamoff>(end + 1);
    size_t start = 0;
    while (start <= end) {
      size_t nl = chunk.find('\n', start);
      std::string line = chunk.substr(start, nl - start);
      auto cr = line.rfind('\r');  // a progress bar redrawn in place: its last state
      if (cr != std::string::npos) line = line.substr(cr + 1);
      if (!line.empty()) std::fprintf(out, "  [%s] %s\n", id.c_str(), line.c_str());
      start = nl + 1;
    }
    std::fflush(out);
  }

 private:
  std::map<std::string, std::streamoff> offsets_;
};

}  // namespace

RunPlanResult wait_for_run(const SlurmRun& run, const SlurmClient& client, std::FILE* out, double poll_seconds) {
  std::vector<NodeStatus> shown(run.nodes.size(), NodeStatus::pending);
  std::vector<std::string> shown_state(run.nodes.size());
  size_t total = run.nodes.size(), finished = 0;
  LogFollower logs;
  for (;;) {
    SlurmProgress p = refresh_run(run, client);
    bool changed = false;
    for (size_t v = 0; v < p.runs.size(); ++v) {
      const NodeRun& r = p.runs[v];
      const auto& e = run.nodes[v];
      std::string job = e.job_id.empty() ? "cache" : "job " + e.job_id;
      if (!e.job_id.empty() && (r.status == NodeStatus::running || done(r.status) || broken(r.status)))
        logs.follow(e.id, e.log, out);
      if (r.status == shown[v] && (r.job.is_null() || r.job["state"] == shown_state[v])) continue;
      changed = true;
      bool now_final = done(r.status) || broken(r.status);
      bool was_final = done(shown[v]) || broken(shown[v]);
      if (now_final && !was_final) ++finished;
      if (now_final && !was_final) {
        std::fprintf(out, "[%zu/%zu] %-8s %s (%s%s)\n", finished, total, to_string(r.status), e.id.c_str(), job.c_str(),
                     r.seconds > 0 ? (", " + ProgressDisplay::format_duration(r.seconds)).c_str() : "");
        if (!r.error.empty()) std::fprintf(out, "      %s\n", r.error.c_str());
      } else if (!now_final && r.status == NodeStatus::running && shown[v] != NodeStatus::running) {
        std::fprintf(out, "        running  %s (%s)\n", e.id.c_str(), job.c_str());
      }
      shown[v] = r.status;
      shown_state[v] = r.job.is_null() ? "" : r.job["state"].get<std::string>();
    }
    std::fflush(out);
    if (p.finished) return record_run(run, p);
    if (changed) record_run(run, p);  // run.json follows the jobs: `sftx status` and people read it
    std::this_thread::sleep_for(std::chrono::duration<double>(poll_seconds));
  }
}

std::vector<std::string> cancel_run(const SlurmRun& run, const SlurmClient& client) {
  std::map<std::string, SlurmJobState> states = client.states(run.job_ids());
  std::vector<std::string> live;
  for (const auto& [id, st] : states)
    if (!slurm_state_is_final(st.state)) live.push_back(id);
  client.cancel(live);
  return live;
}

// ---- the job ----

int run_slurm_node(const fs::path& state_file, const std::string& node_id, const NodeFn& fn, std::FILE* log) {
  SlurmRun run = SlurmRun::load(state_file);
  ExecGraph graph(run.plan);
  size_t v = graph.index_of(node_id);
  const SlurmNodeEntry& e = run.nodes[v];
  CacheStore store(run.cache_dir);
  const char* job = std::getenv("SLURM_JOB_ID");
  std::fprintf(log, "sftx: node %s on %s (Slurm job %s), cache %s\n", node_id.c_str(), KeyLock::this_host().c_str(),
               job ? job : "?", run.cache_dir.c_str());
  if (e.ntasks > 1) std::fprintf(log, "sftx: training on %d ranks: srun --ntasks %d in this job\n", e.ntasks, e.ntasks);
  NodeRun r;
  {
    ProgressDisplay display(log, false, 1);
    r = Executor(graph, store, fn, ExecOptions{}, &display).run_node(v);
  }
  nlohmann::json result = {{"id", node_id},        {"status", to_string(r.status)},
                           {"seconds", r.seconds}, {"error", r.error},
                           {"input_error", r.input_error},
                           {"outputs", r.outputs}, {"host", KeyLock::this_host()},
                           {"job", job ? job : ""}};
  if (!e.result.empty())
    rt::write_file_atomic(e.result, result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (done(r.status)) return 0;
  std::fprintf(log, "sftx: node %s failed: %s\n", node_id.c_str(), r.error.c_str());
  return r.input_error ? 1 : 3;
}

}  // namespace sftx::exec
