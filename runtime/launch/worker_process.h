// Runs `sftx-worker` as a child process and speaks its stdout protocol (runtime/launch/protocol.h).
//
// Why a child process: the driver links SentencePiece, the worker links LibTorch, and the two
// cannot share one process (see CMakeLists.txt). The child is fork+exec'd (not posix_spawn)
// because it must call prctl(PR_SET_PDEATHSIG, SIGKILL) before exec: killing the driver then
// kills the worker too, and no orphaned training run keeps a GPU busy. The death signal is tied
// to the *thread* that forked, so call run_worker from a thread that outlives the child (the
// calling thread blocks until the child is gone, which guarantees that).
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"

namespace sftx::rt {

struct WorkerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct WorkerCall {
  std::string executable;          // path to sftx-worker (or any program speaking the protocol)
  std::vector<std::string> args;   // argv[1..]
  std::string what;                // for errors: "train stage (out_dir /runs/x/stage1)"
  ProgressFn progress;             // receives {"progress": ...} lines
  // Receives each stderr line of the child; default: copied to this process's stderr.
  std::function<void(const std::string&)> on_stderr_line;
  size_t stderr_tail_lines = 20;   // how many last stderr lines a failure message quotes
};

// Runs the child to completion and returns the object of its {"result": ...} line. Throws
// WorkerError when it cannot be started, exits non-zero, dies of a signal or gives no result;
// the message names `what`, the exit status or signal, and the last lines of its stderr.
// Lines on stdout that are not protocol JSON are passed to on_stderr_line, not lost.
nlohmann::json run_worker(const WorkerCall& call);

// One process of a group that run_worker_group starts together: the variables it gets on top of
// this process's environment (a rank's RANK, WORLD_SIZE, ...), and the label its stderr lines
// and errors carry ("rank 1 of 2"; empty: none).
struct WorkerProcessSpec {
  std::vector<std::pair<std::string, std::string>> env;
  std::string label;
};

// Runs `call` once per spec, all at once (runtime/launch/worker_launcher.h's launchers use it).
// The first process speaks the protocol: its progress goes to call.progress and its result is
// returned; the others' stdout lines go to on_stderr_line like their stderr, prefixed
// "[label] ". As soon as one process fails (non-zero exit or a signal), the others are sent
// SIGTERM, and SIGKILL after `stop_grace_s`: a group never outlives its first failure. The
// WorkerError then names every process's end, the first failure first, with its stderr's tail.
// With one spec and no env this is run_worker, messages included.
nlohmann::json run_worker_group(const WorkerCall& call, const std::vector<WorkerProcessSpec>& processes,
                                double stop_grace_s = 5.0);

// $SFTX_WORKER if set, else `sftx-worker` beside /proc/self/exe. Throws WorkerError naming
// both places when neither exists.
std::string find_worker_executable();

}  // namespace sftx::rt
