// sftx run FILE [EXPERIMENT]: build the experiment graph and execute it on the cache, with a
// live progress display; writes runs/<experiment>/<timestamp>/run.json and prints the table.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/core.h>

#include "commands.h"
#include "interrupt_watch.h"
#include "interpreter/exec/cache_store.h"
#include "interpreter/exec/running_nodes.h"
#include "interpreter/exec/claims.h"
#include "interpreter/exec/graph.h"
#include "interpreter/exec/node_runner.h"
#include "interpreter/exec/run_plan.h"
#include "interpreter/exec/slurm_run.h"
#include "interpreter/front/check.h"
#include "interpreter/front/executor_config.h"
#include "interpreter/front/plan_build.h"
#include "run_outcome.h"
#include "runtime/base/device.h"
#include "runtime/launch/device_probe.h"
#include "runtime/launch/worker_process.h"
#include "runtime/launch/worker_launcher.h"

namespace sftx::cli {

namespace {

struct RunArgs {
  std::string file;
  std::string experiment;
  std::vector<std::string> plans;  // --plan: only these plans (empty: all)
  std::string profile;
  std::string device;
  std::string cache;
  std::string executor;
  bool keep_going = false;
  bool detach = false;
  int jobs = 0;
  int train_jobs = 1;
  int nproc = -1;  // -1: not given
};

// An unknown partition is a mistake in sftx.toml: shown at its line, with a caret.
void print_partition_error(const ProjectConfig& config, const ExecutorConfig& ec, const std::string& message,
                           bool color) {
  Diagnostics diags;
  if (!config.path.empty() && ec.partition_line > 0) {
    std::ifstream in(config.path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    diags.add_source(config.path.string(), text.str());
    diags.error(config.path.string(), ec.partition_line, ec.partition_column, message);
    fmt::print(stderr, "{}", diags.render(color));
  } else {
    fmt::print(stderr, "sftx run: error: {}\n", message);
  }
}

int run_on_slurm(const CheckedProgram& checked, const ExecutorConfig& ec, const PlanGraph& plan, const RunArgs& a,
                 const exec::RunPlanOptions& o, int nproc, bool color) {
  exec::SlurmSubmitOptions s;
  s.cache_dir = o.cache_dir;
  s.runs_dir = o.runs_dir;
  s.file = o.file;
  s.profile = o.profile;
  s.device = o.device;
  s.nproc = nproc;
  s.slurm = {ec.partition, ec.account, ec.time, ec.cpus_per_task, ec.gpus_per_task, ec.sbatch_args,
             ec.shared_filesystem};
  s.sftx_bin = std::filesystem::read_symlink("/proc/self/exe");
  s.workdir = std::filesystem::current_path();
  exec::SlurmClient client;
  exec::SlurmRun run;
  try {
    run = exec::submit_plan(plan, s, client);
  } catch (const exec::SlurmSetupError& e) {
    if (e.kind == exec::SlurmSetupError::Kind::partition) {
      print_partition_error(checked.config, ec, e.what(), color);
      return 2;
    }
    if (e.kind == exec::SlurmSetupError::Kind::too_many_ranks) {
      fmt::print(stderr, "sftx run: error: {}; nothing was submitted\n", e.what());
      return 2;
    }
    fmt::print(stderr, "sftx run: error: {}\n", e.what());
    return 3;
  }
  size_t jobs = run.job_ids().size();
  std::filesystem::path dir = run.state_file.parent_path();
  fmt::print(stderr, "sftx run: submitted {} Slurm job(s), {} node(s) reused from the cache; run directory {}\n",
             jobs, run.nodes.size() - jobs, dir.string());
  if (a.detach) {
    fmt::print(stderr, "  follow it:  sftx status {}\n  stop it:    sftx cancel {}\n", dir.string(), dir.string());
    fmt::print("{}\n", dir.string());
    return 0;
  }
  fmt::print(stderr, "  (Ctrl-C stops waiting, not the jobs: sftx status / sftx cancel {})\n", dir.string());
  return print_run_outcome(exec::wait_for_run(run, client, stderr, ec.poll_seconds), "sftx run");
}

int run_command(const RunArgs& a) {
  bool color = isatty(fileno(stderr)) != 0;
  Diagnostics diags;
  CheckOptions check_options;
  check_options.profile = a.profile;
  auto checked = check_file(a.file, diags, check_options);
  std::optional<PlanGraph> plan;
  if (checked) plan = build_plan_graph(*checked, a.experiment, diags, a.plans);
  if (!diags.empty()) fmt::print(stderr, "{}", diags.render(color));
  if (!checked || !plan) return 1;

  // Ranks per training stage: --nproc, else the profile's nproc, else 1. Refused before any node
  // runs when this machine (local executor) or the partition (Slurm, in submit_plan) cannot
  // start them (usage error, exit 2).
  int nproc = 1;
  if (a.nproc != -1) {
    nproc = a.nproc;
  } else if (auto p = checked->config.profiles.find(a.profile); !a.profile.empty() && p != checked->config.profiles.end() &&
                                                                  p->second.nproc) {
    nproc = *p->second.nproc;
  }
  Diagnostics executor_diags;  // checked with the rest of sftx.toml already: only a file changed since
  auto ec = read_executor_config(checked->config.path, executor_diags);
  if (!ec) {
    fmt::print(stderr, "{}", executor_diags.render(color));
    return 1;
  }
  std::string executor = a.executor.empty() ? ec->kind : a.executor;
  try {
    // Under Slurm the ranks are the tasks of a job elsewhere, not processes here: submit_plan
    // checks them against the partition.
    if (executor != "slurm") rt::check_worker_launcher("", nproc);
    else if (nproc < 1) throw rt::LaunchRefused(fmt::format("--nproc {}: a training needs at least 1 rank", nproc));
  } catch (const rt::LaunchRefused& e) {
    fmt::print(stderr, "sftx run: error: {}\n", e.what());
    return 2;
  }

  exec::RunPlanOptions o;
  o.cache_dir = a.cache.empty() ? checked->config.cache_dir : std::filesystem::absolute(a.cache);
  o.runs_dir = checked->config.runs_dir;
  o.file = a.file;
  o.profile = a.profile;
  o.device = a.device.empty() ? checked->config.device : a.device;
  const std::optional<rt::DeviceKind> device_kind = rt::parse_device_kind(o.device);
  if (!device_kind) {
    fmt::print(stderr, "sftx run: error: device '{}' is not {}\n", o.device, rt::device_kind_choices());
    return 2;
  }
  if (o.device == "cuda") {
    // Asked once, before any node runs: otherwise every training and evaluation node would
    // fail on its own, after the data nodes had done their work.
    std::string asked = a.device.empty() ? "device = \"cuda\" in " + checked->config.path.string() : "--device cuda";
    try {
      rt::WorkerDevices d = rt::probe_worker_devices(rt::find_worker_executable());
      if (d.cuda_devices == 0) {
        fmt::print(stderr,
                   "sftx run: error: {}, but the worker (LibTorch {}) sees no CUDA device; nothing was run\n"
                   "help: run with --device cpu, or use a build against a CUDA LibTorch on a GPU machine "
                   "(docs/gpu.md)\n",
                   asked, d.torch_version.empty() ? "?" : d.torch_version);
        return 2;
      }
    } catch (const rt::WorkerError& e) {
      fmt::print(stderr, "sftx run: error: cannot ask the worker which devices it has: {}\n", e.what());
      return 3;
    }
  }
  o.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  // Several small stages at once: each worker gets its share of the cores (unless the user set
  // SFTX_NUM_THREADS), since torch threads that outnumber the cores stall at every barrier.
  o.exclusive_slots = a.train_jobs;
  o.jobs = std::max(o.jobs, a.train_jobs);
  if (a.train_jobs > 1) {
    const char* threads = std::getenv("SFTX_NUM_THREADS");
    if (!threads || !*threads) {
      const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      ::setenv("SFTX_NUM_THREADS", std::to_string(std::max(1, cores / a.train_jobs)).c_str(), 1);
    }
  }
  o.keep_going = a.keep_going;
  if (executor == "slurm") return run_on_slurm(*checked, *ec, *plan, a, o, nproc, color);
  if (a.detach) {
    fmt::print(stderr, "sftx run: error: --detach needs --executor slurm (a local run lives in this process)\n");
    return 2;
  }
  o.progress_out = stderr;
  o.progress_tty = color;
  exec::RunSettings settings;
  settings.device.kind = *device_kind;
  settings.nproc = nproc;
  o.node_fn = exec::make_node_runner(settings);

  exec::RunningNodes running;
  o.observer = &running;
  exec::RunPlanResult result;
  {
    exec::CacheStore store(o.cache_dir);
    InterruptWatch watch([&running, &store] {
      return running.interrupted_message([&store](const std::string& key) { return store.work_dir(key); });
    });
    result = exec::run_plan(*plan, o);
  }
  return print_run_outcome(result, "sftx run");
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "Execute an experiment: data, training, evaluation, table");
  cmd->description(
      "Build the experiment graph of FILE and run every node that is not already in the cache.\n"
      "Identical stages anywhere (across plans and files) are trained once; a stage killed\n"
      "mid-training resumes from its last checkpoint on the next run. Writes\n"
      "runs/<experiment>/<timestamp>/run.json (runs/<experiment>/latest points at it), the\n"
      "training metrics, evaluation results and the report table, and prints the table and the\n"
      "verdict of each claim (expect \"...\" { ... }): holds, fails or inconclusive.\n\n"
      "Examples:\n"
      "  sftx run experiments/quickstart.sftx\n"
      "  sftx run experiments/k_sweep.sftx k_sweep --profile smoke --jobs 2\n"
      "  sftx run experiments/k_sweep.sftx --plan 'dmt(1/4)' --plan 'dmt(1/256)'   # two of its plans\n"
      "  sftx run study.sftx --cache /scratch/sftx-cache --keep-going\n"
      "  sftx run study.sftx --nproc 4     # each training stage on 4 data-parallel ranks\n"
      "  sftx run experiments/k_sweep.sftx --executor slurm            # one Slurm job per node\n"
      "  sftx run experiments/k_sweep.sftx --executor slurm --detach   # submit, then `sftx status RUN`\n\n"
      "--nproc N trains every stage with N processes on this machine (Gloo on the CPU, NCCL on\n"
      "GPUs), the global batch split between them; the stage keys, and so the cache, do not\n"
      "change with N. With --executor slurm, each training stage's job gets N tasks\n"
      "(sbatch --ntasks N) and trains through srun. Several machines: docs/distributed.md.\n\n"
      "With --executor slurm (or [executor] kind = \"slurm\" in sftx.toml), every node not in the\n"
      "cache becomes an sbatch job depending (afterok) on its inputs' jobs, with the partition,\n"
      "account, time and resources of sftx.toml's [executor]; the cache, the runs directory and\n"
      "the sftx binaries must be on a filesystem every node shares (docs/distributed.md). Slurm\n"
      "unreachable, an unknown partition or an unshared cache is an error before anything is\n"
      "submitted. sftx run then waits, printing each node as its job ends; Ctrl-C stops only\n"
      "the waiting (`sftx status RUN` follows the jobs, `sftx cancel RUN` stops them).\n\n"
      "Exit status: 0 all nodes done (or, with --detach, submitted), 1 errors in the input (the\n"
      "program, or a data file's malformed line found while running), 2 usage error (an unknown\n"
      "option, executor or Slurm partition; --nproc 0 or more ranks than cores, or under Slurm\n"
      "than the partition's CPUs; --device cuda where the worker sees no CUDA device), 3 a node\n"
      "failed for another reason, or Slurm cannot be used (not installed, not answering, the\n"
      "cache not on a shared filesystem), 130 interrupted (Ctrl-C): what was running is named,\n"
      "and a rerun resumes it.");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("FILE", a->file, "the .sftx file")->required();
  cmd->add_option("EXPERIMENT", a->experiment, "run only this experiment (default: all of the file's)");
  add_plan_option(cmd, a->plans,
                  "run only this plan of the experiment, as the table names it (e.g. 'dmt(1/4)'); repeatable. "
                  "Claims naming a plan left out are reported inconclusive");
  cmd->add_option("--profile", a->profile, "apply this [profile.NAME] of sftx.toml");
  cmd->add_option("--device", a->device, "cpu or cuda (default: sftx.toml's device, else cpu)");
  cmd->add_option("--cache", a->cache, "cache directory (default: sftx.toml's cache)");
  cmd->add_option("--nproc", a->nproc,
                  "data-parallel ranks per training stage, 1 to the core count, or with --executor slurm to "
                  "the partition's CPUs (default: the profile's nproc, else 1)");
  cmd->add_flag("--keep-going", a->keep_going, "after a failure, still run every node that does not depend on it");
  cmd->add_option("--executor", a->executor, "local (this machine) or slurm (default: sftx.toml's [executor] kind, else local)")
      ->check(CLI::IsMember({"local", "slurm"}));
  cmd->add_flag("--detach", a->detach, "slurm: return once the jobs are submitted; prints the run directory");
  cmd->add_option("--jobs", a->jobs, "nodes run at once (default: the core count, at least 2); training runs one at a time")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--train-jobs", a->train_jobs,
                  "training stages run at once (default 1), each with cores/N torch threads unless SFTX_NUM_THREADS "
                  "is set: for many small stages on a CPU")
      ->check(CLI::PositiveNumber);
  cmd->callback([&exit_code, a] {
    try {
      exit_code = run_command(*a);
    } catch (const exec::GraphError& e) {
      fmt::print(stderr, "sftx run: internal error in the experiment graph: {}\n", e.what());
      exit_code = 3;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx run: error: {}\n", e.what());
      exit_code = 3;
    }
  });
}

}  // namespace sftx::cli
