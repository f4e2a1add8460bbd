#include "runtime/launch/worker_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <optional>

#include <fmt/core.h>

#include "runtime/launch/protocol.h"

namespace sftx::rt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw WorkerError(fmt::format("pipe: {}", std::strerror(errno)));
    r = fds[0], w = fds[1];
  }
  ~Pipe() { close_fd(r), close_fd(w); }
};

// Kills and reaps the child if the parent unwinds (e.g. a progress callback threw).
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      int st;
      while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

// Splits a byte stream into lines.
struct LineBuffer {
  std::string pending;
  template <class F>
  void feed(const char* data, size_t n, F&& on_line) {
    pending.append(data, n);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      on_line(pending.substr(start, nl - start));
    pending.erase(0, start);
  }
  template <class F>
  void finish(F&& on_line) {
    if (!pending.empty()) on_line(pending);
    pending.clear();
  }
};

void default_stderr_line(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace

std::string find_worker_executable() {
  if (const char* env = std::getenv("SFTX_WORKER"); env && *env) {
    if (::access(env, X_OK) != 0)
      throw WorkerError(fmt::format("SFTX_WORKER={} is not an executable file", env));
    return env;
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path beside = ec ? fs::path("sftx-worker") : self.parent_path() / "sftx-worker";
  if (::access(beside.c_str(), X_OK) != 0)
    throw WorkerError(fmt::format("cannot find sftx-worker: looked at {} (build the `sftx-worker` target, or set "
                                  "SFTX_WORKER to its path)",
                                  beside.string()));
  return beside.string();
}

json run_worker(const WorkerCall& call) {
  auto on_err = call.on_stderr_line ? call.on_stderr_line : default_stderr_line;

  // Everything the child touches is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> argv_s{call.executable};
  argv_s.insert(argv_s.end(), call.args.begin(), call.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  Pipe out, err, exec_status;  // exec_status: the child writes errno here if exec fails
  pid_t parent = ::getpid();
  ChildGuard child;
  child.pid = ::fork();
  if (child.pid < 0) throw WorkerError(fmt::format("{}: fork failed: {}", call.what, std::strerror(errno)));
  if (child.pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    ::dup2(out.w, STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the new descriptor
    ::dup2(err.w, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    int e = errno;
    ssize_t ignored = ::write(exec_status.w, &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  close_fd(out.w), close_fd(err.w), close_fd(exec_status.w);

  int exec_errno = 0;
  if (::read(exec_status.r, &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    throw WorkerError(fmt::format("{}: cannot run {}: {}", call.what, call.executable, std::strerror(exec_errno)));
  }

  std::deque<std::string> tail;
  std::optional<json> result;
  auto stderr_line = [&](const std::string& line) {
    on_err(line);
    tail.push_back(line);
    if (tail.size() > call.stderr_tail_lines) tail.pop_front();
  };
  auto stdout_line = [&](const std::string& line) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("progress")) {
      if (call.progress) {
        try {
          call.progress(from_json<Progress>(j["progress"]));
        } catch (const ProtocolError& e) {
          throw WorkerError(fmt::format("{}: malformed progress from the worker: {}", call.what, e.what()));
        }
      }
    } else if (j.is_object() && j.contains("result")) {
      result = j["result"];
    } else if (!line.empty()) {
      stderr_line(line);  // something in the worker printed to stdout; keep it visible
    }
  };

  LineBuffer out_lines, err_lines;
  pollfd fds[2] = {{out.r, POLLIN, 0}, {err.r, POLLIN, 0}};
  int open_streams = 2;
  char buf[65536];
  while (open_streams > 0) {
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw WorkerError(fmt::format("{}: poll: {}", call.what, std::strerror(errno)));
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        if (i == 0) out_lines.finish(stdout_line);
        else err_lines.finish(stderr_line);
        fds[i].fd = -1;
        --open_streams;
        continue;
      }
      if (i == 0) out_lines.feed(buf, size_t(got), stdout_line);
      else err_lines.feed(buf, size_t(got), stderr_line);
    }
  }

  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0) {
    if (errno != EINTR) throw WorkerError(fmt::format("{}: waitpid: {}", call.what, std::strerror(errno)));
  }
  child.pid = -1;

  auto quote_tail = [&] {
    if (tail.empty()) return std::string(" (it wrote nothing on stderr)");
    std::string s = "\nlast lines of its stderr:";
    for (const auto& l : tail) s += "\n  | " + l;
    return s;
  };
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    throw WorkerError(fmt::format("{} failed: {} was killed by signal {} ({}){}", call.what, call.executable, sig,
                                  strsignal(sig), quote_tail()));
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code != 0)
    throw WorkerError(fmt::format("{} failed: {} exited with status {}{}", call.what, call.executable, code, quote_tail()));
  if (!result)
    throw WorkerError(fmt::format("{} failed: {} exited without printing a result line{}", call.what,
                                  call.executable, quote_tail()));
  return *result;
}

}  // namespace sftx::rt
