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
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <fmt/core.h>

#include "runtime/launch/protocol.h"

extern "C" char** environ;

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

json run_worker(const WorkerCall& call) { return run_worker_group(call, {WorkerProcessSpec{}}); }

namespace {

// One started process of a group and what it has said so far.
struct Member {
  pid_t pid = -1;
  std::string label;
  Pipe out, err;
  LineBuffer out_lines, err_lines;
  int open_streams = 2;
  std::deque<std::string> tail;
  // A line in the form of the worker's failure line ("sftx-worker VERB: ..."), not yet shown: if
  // it is the last before exit status 3 it becomes the error, and shown live as well it would
  // be printed twice; otherwise it is shown when the next line comes or the process ends.
  std::optional<std::string> held;
  bool reaped = false;
  bool stopped_by_us = false;  // sent SIGTERM/SIGKILL after another member failed
  int status = 0;
};

std::string describe_end(int status, bool stopped_by_us) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return fmt::format("{} by signal {} ({})", stopped_by_us ? "stopped after the first failure" : "was killed", sig,
                       strsignal(sig));
  }
  return fmt::format("exited with status {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

bool failed(int status) { return !(WIFEXITED(status) && WEXITSTATUS(status) == 0); }

}  // namespace

json run_worker_group(const WorkerCall& call, const std::vector<WorkerProcessSpec>& processes, double stop_grace_s) {
  if (processes.empty()) throw WorkerError(call.what + ": no process to run");
  auto on_err = call.on_stderr_line ? call.on_stderr_line : default_stderr_line;
  const bool group = processes.size() > 1;

  // Everything the children touch is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> argv_s{call.executable};
  argv_s.insert(argv_s.end(), call.args.begin(), call.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Each process's environment: ours, with its own variables replacing any of the same name.
  std::vector<std::vector<std::string>> env_s(processes.size());
  std::vector<std::vector<char*>> envp(processes.size());
  for (size_t i = 0; i < processes.size(); ++i) {
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      std::string name = kv.substr(0, kv.find('='));
      bool replaced = false;
      for (const auto& [k, v] : processes[i].env) replaced = replaced || k == name;
      if (!replaced) env_s[i].push_back(kv);
    }
    for (const auto& [k, v] : processes[i].env) env_s[i].push_back(k + "=" + v);
    for (auto& kv : env_s[i]) envp[i].push_back(kv.data());
    envp[i].push_back(nullptr);
  }

  std::vector<std::unique_ptr<Member>> members;
  std::vector<ChildGuard> guards(processes.size());  // kill and reap every child if we unwind
  pid_t parent = ::getpid();
  for (size_t i = 0; i < processes.size(); ++i) {
    auto m = std::make_unique<Member>();
    m->label = processes[i].label;
    Pipe exec_status;  // the child writes errno here if exec fails
    pid_t pid = ::fork();
    if (pid < 0) throw WorkerError(fmt::format("{}: fork failed: {}", call.what, std::strerror(errno)));
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
      ::dup2(m->out.w, STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the new descriptor
      ::dup2(m->err.w, STDERR_FILENO);
      ::execve(argv[0], argv.data(), envp[i].data());
      int e = errno;
      ssize_t ignored = ::write(exec_status.w, &e, sizeof e);
      (void)ignored;
      ::_exit(127);
    }
    guards[i].pid = m->pid = pid;
    close_fd(m->out.w), close_fd(m->err.w), close_fd(exec_status.w);
    int exec_errno = 0;
    if (::read(exec_status.r, &exec_errno, sizeof exec_errno) == sizeof exec_errno)
      throw WorkerError(fmt::format("{}: cannot run {}: {}", call.what, call.executable, std::strerror(exec_errno)));
    members.push_back(std::move(m));
  }

  std::optional<json> result;
  auto stderr_line = [&](Member& m, const std::string& line) {
    if (m.held) on_err(*std::exchange(m.held, std::nullopt));
    if (!group && line.rfind("sftx-worker ", 0) == 0) m.held = line;
    else on_err(group && !m.label.empty() ? "[" + m.label + "] " + line : line);
    m.tail.push_back(line);
    if (m.tail.size() > call.stderr_tail_lines) m.tail.pop_front();
  };
  auto stdout_line = [&](size_t i, const std::string& line) {
    Member& m = *members[i];
    json j = i == 0 ? json::parse(line, nullptr, /*allow_exceptions=*/false) : json();
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
      stderr_line(m, line);  // something in the worker printed to stdout; keep it visible
    }
  };

  // The first failure stops the rest: SIGTERM now, SIGKILL once the grace period is over.
  std::optional<size_t> first_failure;
  std::optional<std::chrono::steady_clock::time_point> kill_at;
  auto stop_others = [&] {
    for (auto& m : members)
      if (!m->reaped) {
        m->stopped_by_us = true;
        ::kill(m->pid, SIGTERM);
      }
    kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(stop_grace_s * 1000));
  };
  auto reap = [&](size_t i) {
    Member& m = *members[i];
    if (m.reaped) return;
    while (::waitpid(m.pid, &m.status, 0) < 0) {
      if (errno != EINTR) throw WorkerError(fmt::format("{}: waitpid: {}", call.what, std::strerror(errno)));
    }
    m.reaped = true;
    guards[i].pid = -1;
    if (!failed(m.status) || m.stopped_by_us || first_failure) return;
    first_failure = i;
    if (!group) return;
    // A rank killed from outside makes its peers fail in their next collective, and their ends may
    // be seen first: among the processes already ended now, one killed by a signal is the cause.
    for (size_t k = 0; k < members.size(); ++k) {
      Member& o = *members[k];
      if (o.reaped) continue;
      int st = 0;
      if (::waitpid(o.pid, &st, WNOHANG) == o.pid) {
        o.reaped = true, o.status = st, guards[k].pid = -1;
        if (WIFSIGNALED(st) && !WIFSIGNALED(members[*first_failure]->status)) first_failure = k;
      }
    }
    stop_others();
  };

  char buf[65536];
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<std::pair<size_t, int>> owner;  // (member, 0 = stdout / 1 = stderr)
    for (size_t i = 0; i < members.size(); ++i) {
      Member& m = *members[i];
      if (m.out.r >= 0) fds.push_back({m.out.r, POLLIN, 0}), owner.emplace_back(i, 0);
      if (m.err.r >= 0) fds.push_back({m.err.r, POLLIN, 0}), owner.emplace_back(i, 1);
    }
    if (fds.empty()) break;
    int timeout_ms = -1;
    if (kill_at) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*kill_at - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        for (auto& m : members)
          if (!m->reaped) ::kill(m->pid, SIGKILL);
        kill_at.reset();
      } else {
        timeout_ms = static_cast<int>(left.count());
      }
    }
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw WorkerError(fmt::format("{}: poll: {}", call.what, std::strerror(errno)));
    }
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const size_t i = owner[k].first;
      const int stream = owner[k].second;
      Member& m = *members[i];
      ssize_t got = ::read(fds[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      auto on_out = [&](const std::string& l) { stdout_line(i, l); };
      auto on_errl = [&](const std::string& l) { stderr_line(m, l); };
      if (got <= 0) {
        if (stream == 0) m.out_lines.finish(on_out), close_fd(m.out.r);
        else m.err_lines.finish(on_errl), close_fd(m.err.r);
        if (--m.open_streams == 0) reap(i);  // both streams closed: the process has ended
        continue;
      }
      if (stream == 0) m.out_lines.feed(buf, size_t(got), on_out);
      else m.err_lines.feed(buf, size_t(got), on_errl);
    }
  }
  for (size_t i = 0; i < members.size(); ++i)
    if (!members[i]->reaped) reap(i);

  auto quote_tail = [](const Member& m) {
    if (m.tail.empty()) return std::string(" (it wrote nothing on stderr)");
    std::string s = "\nlast lines of its stderr:";
    for (const auto& l : m.tail) s += "\n  | " + l;
    return s;
  };
  if (!group) {
    const Member& m = *members[0];
    if (WIFSIGNALED(m.status)) {
      int sig = WTERMSIG(m.status);
      throw WorkerError(fmt::format("{} failed: {} was killed by signal {} ({}){}", call.what, call.executable, sig,
                                    strsignal(sig), quote_tail(m)));
    }
    int code = WIFEXITED(m.status) ? WEXITSTATUS(m.status) : -1;
    // Status 3 is the worker's "the request failed", its reason one line on stderr
    // ("sftx-worker VERB: REQUEST: REASON", worker/main.cc): that line is the error, kept on one
    // line (a full disk during a checkpoint or an evaluation's output says so in one line).
    if (code == 3 && m.held)
      throw WorkerError(fmt::format("{} failed: {} ({} exited with status 3)", call.what, *m.held, call.executable));
    if (m.held) on_err(*m.held);
    if (code != 0)
      throw WorkerError(
          fmt::format("{} failed: {} exited with status {}{}", call.what, call.executable, code, quote_tail(m)));
  } else if (first_failure) {
    // The first failure is the cause; the others' ends (often "a peer died" from the collective
    // they were in, or our SIGTERM) follow, each with its own words.
    const Member& f = *members[*first_failure];
    std::string msg = fmt::format("{} failed: {} ({}) {}, so the whole group was stopped{}", call.what, f.label,
                                  call.executable, describe_end(f.status, false), quote_tail(f));
    for (size_t i = 0; i < members.size(); ++i) {
      if (i == *first_failure) continue;
      const Member& m = *members[i];
      const bool our_signal = m.stopped_by_us && WIFSIGNALED(m.status);
      msg += fmt::format("\n{}: {}", m.label, failed(m.status) ? describe_end(m.status, our_signal) : "finished");
      if (failed(m.status) && !our_signal) msg += quote_tail(m);
    }
    throw WorkerError(msg);
  }
  if (!result)
    throw WorkerError(fmt::format("{} failed: {} exited without printing a result line{}", call.what,
                                  call.executable, quote_tail(*members[0])));
  return *result;
}

}  // namespace sftx::rt
