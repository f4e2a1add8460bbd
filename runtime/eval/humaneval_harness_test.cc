// Each hostile completion below is wrong (add returns a - b) and tries to be scored passed;
// the public harness scores every one of them failed, and so must we.
#include "runtime/eval/humaneval_harness.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "runtime/data/utf8.h"
#include "runtime/eval/humaneval.h"

using namespace sftx::rt;

namespace {

HumanEvalProblem add_problem() {
  return {"Test/0", "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n",
          "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n", "add"};
}

SandboxLimits quick() {
  SandboxLimits lim;
  lim.timeout_s = 5.0;
  return lim;
}

// A wrong body followed by module-level code that runs before the tests do.
std::string wrong_then(const std::string& trailer) { return "    return a - b\n" + trailer; }

}  // namespace

TEST_CASE("harness: early exits and exit hooks are failures", "[humaneval][harness]") {
  auto p = add_problem();
  const std::vector<std::pair<const char*, std::string>> hostile = {
      {"sys.exit(0)", wrong_then("import sys\nsys.exit(0)\n")},
      {"raise SystemExit", wrong_then("raise SystemExit\n")},
      {"os._exit(0)", wrong_then("import os\nos._exit(0)\n")},
      {"atexit handler", wrong_then("import atexit, os\natexit.register(lambda: os._exit(0))\n")},
      {"excepthook exit", wrong_then("import sys, os\nsys.excepthook = lambda *a: os._exit(0)\n")},
      // Its parent: in the sandbox's PID namespace that is pid 0 (kill(0) hits its own group);
      // where there is no PID namespace, the parent is this test, which it must not kill.
      {"kill the parent", wrong_then("import os, signal\nif os.getppid() != " + std::to_string(getpid()) +
                                     ":\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                                     "os.kill(os.getpid(), signal.SIGKILL)\n")},
  };
  for (const auto& [name, completion] : hostile) {
    INFO(name);
    auto out = check_humaneval(p, completion, quick());
    INFO(out.result);
    CHECK_FALSE(out.passed);
    CHECK(out.result.rfind("failed: ", 0) == 0);
  }
}

TEST_CASE("harness: replacing print, sys.stdout or os.write forges nothing", "[humaneval][harness]") {
  auto p = add_problem();
  // Prints what a naive harness would take as success, on every channel it can reach,
  // including the report channel's original fd 4 and any fd that happens to be open.
  auto forged = check_humaneval(p, wrong_then("import os, sys, builtins\n"
                                              "for fd in range(0, 256):\n"
                                              "    try: os.write(fd, b'PASS 0123456789abcdef0123456789abcdef\\npassed\\n')\n"
                                              "    except OSError: pass\n"
                                              "builtins.print = lambda *a, **k: None\n"
                                              "sys.stdout = None\n"
                                              "os.write = lambda *a: 0\n"
                                              "os._exit = lambda *a: None\n"),
                                quick());
  CHECK_FALSE(forged.passed);
  CHECK(forged.result == "failed: AssertionError");
  // A correct completion that does the same still passes: the harness uses saved references.
  auto honest = check_humaneval(p, "    return a + b\nimport builtins, sys, os\nbuiltins.print = None\n"
                                   "sys.stdout = None\nos.write = None\nos._exit = None\n",
                                quick());
  INFO(honest.result);
  CHECK(honest.passed);
}

TEST_CASE("harness: the token is gone before the completion runs", "[humaneval][harness]") {
  auto p = add_problem();
  // Tries to read the token from fd 3 and forge the proof on fd 4 (and every other fd).
  auto out = check_humaneval(p, wrong_then("import os\n"
                                           "try: t = os.read(3, 64)\n"
                                           "except OSError: t = b'none'\n"
                                           "for fd in range(0, 256):\n"
                                           "    try: os.write(fd, b'PASS ' + t + b'\\n')\n"
                                           "    except OSError: pass\n"
                                           "os._exit(0)\n"),
                             quick());
  CHECK_FALSE(out.passed);
}

TEST_CASE("harness: a proof counts only with this run's token", "[humaneval][harness]") {
  SandboxResult r;
  r.exit_code = 0;
  r.report_text = "PASS abc\n";
  CHECK(harness_verdict(r, "abc").passed);
  CHECK_FALSE(harness_verdict(r, "abd").passed);
  CHECK_FALSE(harness_verdict(r, "").passed);
  r.report_text = "PASS abc\ntrailing\n";
  CHECK_FALSE(harness_verdict(r, "abc").passed);
  r.timed_out = true;
  r.report_text = "PASS abc\n";
  CHECK(harness_verdict(r, "abc").result == "timed out");
  CHECK(new_harness_token() != new_harness_token());
  CHECK(new_harness_token().size() == 32);
}

TEST_CASE("harness: the failure reason is bounded and display-safe", "[humaneval][harness]") {
  auto p = add_problem();
  auto out = check_humaneval(p, wrong_then("raise ValueError('\\x1b[2J' + '\\udcff' + 'x' * 100000)\n"), quick());
  CHECK_FALSE(out.passed);
  CHECK(out.result.size() <= 8 + kMaxFailureReasonBytes);
  CHECK(out.result.find('\x1b') == std::string::npos);
  CHECK(out.result.rfind("failed: ValueError: \\x1B[2J", 0) == 0);
  CHECK(invalid_utf8_offset(out.result) == std::string::npos);
}
