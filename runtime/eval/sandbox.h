// Runs untrusted Python (model-generated code) in a subprocess that can harm nothing.
//
// Layers, each applied where the kernel and our privileges allow it (the result records which):
//   - its own fresh temporary directory as cwd, HOME and TMPDIR, removed afterwards;
//   - a new session/process group (setsid), SIGKILLed as a whole at the end;
//   - a new PID namespace: the program runs as its init, so when it ends the kernel kills every
//     process it started, even ones that escaped the process group with setsid(); with a fresh
//     procfs mounted on /proc, so the host's processes and their command lines are invisible
//     (where procfs cannot be mounted, an empty read-only tmpfs hides /proc instead);
//   - a new network namespace (only a loopback that is down: no network at all);
//   - a new mount namespace in which every mount is remounted read-only except the sandbox's
//     own directory (a bind mount of itself), so absolute paths outside it cannot be written;
//   - when running as root: the program runs as `nobody` (65534), so RLIMIT_NPROC is enforced
//     (the kernel does not enforce it for root) and ordinary file permissions apply;
//     when not root: an unprivileged user namespace provides the namespaces above;
//   - rlimits: address space, processes, file size, CPU seconds, no core dumps, open files;
//   - an empty environment apart from HOME, TMPDIR, PATH, LANG and PYTHON* safety switches;
//   - a wall-clock timeout;
//   - two harness channels (see run_python_sandboxed): a secret on fd 3 and a report on fd 4.
#pragma once

#include <cstdint>
#include <string>

namespace sftx::rt {

struct SandboxLimits {
  double timeout_s = 10.0;                     // wall clock
  int64_t memory_bytes = int64_t{1} << 30;     // RLIMIT_AS
  int64_t max_processes = 64;                  // RLIMIT_NPROC (per user: see sandbox.cc)
  int64_t max_file_bytes = int64_t{16} << 20;  // RLIMIT_FSIZE
  int64_t cpu_seconds = 0;                     // RLIMIT_CPU; 0 = ceil(timeout_s) + 1
  int64_t max_output_bytes = 64 << 10;         // stdout/stderr kept (the rest is drained)
  std::string base_dir;                        // where sandbox dirs go; empty = $TMPDIR or /tmp
};

// Which layers were actually in force for a run (the kernel may refuse some).
struct SandboxIsolation {
  bool network = false;      // new network namespace
  bool filesystem = false;   // everything but the sandbox dir read-only
  bool pid_namespace = false;
  bool dropped_to_nobody = false;
  bool user_namespace = false;
  bool own_proc = false;     // /proc shows only the sandbox's PID namespace (or nothing)
  std::string describe() const;  // e.g. "net+readonly-fs+pid+proc+nobody"
};

struct SandboxResult {
  int exit_code = -1;        // when the program exited normally
  int signal = 0;            // when a signal ended it
  bool timed_out = false;
  double seconds = 0;
  std::string stdout_text, stderr_text;
  std::string report_text;   // what the program wrote to fd 4 (bounded like stdout)
  int process_group = 0;     // the pgid that was killed at the end (for tests to check)
  SandboxIsolation isolation;
  bool ok() const { return !timed_out && signal == 0 && exit_code == 0; }
};

// Writes `source` to program.py in a fresh directory and runs `python3 -I -B program.py`.
// A harness written in `source` gets two channels that are not stdout/stderr:
//   fd 3 yields `secret` and then end-of-file (so a harness can read it and close fd 3 before
//        running untrusted code: it is then no longer in the file table);
//   fd 4 is a pipe back to us: what the program writes there is SandboxResult::report_text.
// Throws std::runtime_error when the sandbox itself cannot be set up (no python3, no fork).
SandboxResult run_python_sandboxed(const std::string& source, const SandboxLimits& limits = {},
                                   const std::string& secret = {});

// The python3 used: /usr/bin/python3 if present (a pyenv shim needs the environment the
// sandbox clears), else the first python3 on PATH, resolved to its real executable.
std::string sandbox_python();

}  // namespace sftx::rt
