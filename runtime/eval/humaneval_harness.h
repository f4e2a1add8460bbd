// The program that runs one HumanEval sample in the sandbox, and how its verdict is read.
//
// A sample passes only on positive evidence that every check ran: the harness runs
//   prompt + completion + "\n" + test + "\n" + "check(" + entry_point + ")"
// with exec() in an empty namespace, stdin raising on reads and reliability_guard's functions
// set to None (as the public harness, github.com/openai/human-eval, does: the same completion
// gets the same verdict, checked by scripts/peers/humaneval_parity.py) and, only when exec
// returns normally, writes "PASS <token>" on the sandbox's report channel (fd 4) and ends the
// process at once with os._exit (no atexit handler, no excepthook, no buffered output runs
// after the verdict). The token is fresh per run and reaches the harness on fd 3, which it
// reads and closes before the untrusted code runs; the harness writes through os.write and
// os._exit references saved beforehand, on a private duplicate of fd 4. So a completion that
// exits early (sys.exit, raise SystemExit, os._exit, an atexit or excepthook exit), kills
// its parent, replaces print/sys.stdout, or prints "passed" produces no proof and fails,
// as the public harness scores it.
//
// Limit, said plainly: the completion runs in the harness's own Python process, so code
// written to search that process's memory for the token could forge the proof; no in-process
// harness, the public one included (an object whose __eq__ is always True passes it), stops
// code aimed at the harness itself. The token stops everything short of that.
#pragma once

#include <string>

#include "runtime/eval/sandbox.h"

namespace sftx::rt {

// A fresh random token (32 hex digits from the kernel's random source).
std::string new_harness_token();

// The Python harness around `program` (the concatenation above, passed verbatim as bytes).
std::string harness_source(const std::string& program);

struct HarnessVerdict {
  bool passed = false;
  std::string result;  // "passed", "timed out" or "failed: <reason>" (bounded, display-safe)
};
// The verdict of a sandbox run of harness_source with `token` as its secret.
HarnessVerdict harness_verdict(const SandboxResult& run, const std::string& token);

// Longest reason kept after "failed: " (an exception's text is the completion's to choose, and
// it goes into the results file).
inline constexpr size_t kMaxFailureReasonBytes = 512;

}  // namespace sftx::rt
