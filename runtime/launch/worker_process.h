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

// $SFTX_WORKER if set, else `sftx-worker` beside /proc/self/exe. Throws WorkerError naming
// both places when neither exists.
std::string find_worker_executable();

}  // namespace sftx::rt
