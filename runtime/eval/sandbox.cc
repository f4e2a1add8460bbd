#include "runtime/eval/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace sftx::rt {
namespace {

constexpr uid_t kNobody = 65534;

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Mount points of this process, in mountinfo order, with "\040"-style escapes decoded.
// Read before fork: the child must not allocate (the parent may be multi-threaded).
std::vector<std::string> mount_points() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    if (!(fields >> id >> parent >> devno >> root >> point)) continue;
    std::string decoded;
    for (size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        decoded += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        decoded += point[i];
      }
    }
    out.push_back(decoded);
  }
  return out;
}

// Flags a read-only remount must keep: inside a user namespace the kernel refuses a remount
// that would clear nosuid/nodev/noexec/atime flags locked by the outer namespace.
unsigned long preserved_mount_flags(const char* path) {
  struct statvfs sv;
  if (statvfs(path, &sv) != 0) return 0;
  unsigned long f = 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

bool write_file_raw(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t len = static_cast<ssize_t>(std::strlen(text));
  bool ok = write(fd, text, static_cast<size_t>(len)) == len;
  close(fd);
  return ok;
}

// Closes every fd >= `first` (close_range where the kernel has it, else one by one).
void close_fds_from(int first) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
#endif
  struct rlimit rl{};
  rlim_t last = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? std::min<rlim_t>(rl.rlim_cur, 1 << 16) : 1024;
  for (rlim_t fd = static_cast<rlim_t>(first); fd < last; ++fd) close(static_cast<int>(fd));
}

void set_limit(int resource, rlim_t value) {
  struct rlimit rl{value, value};
  setrlimit(resource, &rl);
}

// Everything the child needs, prepared before fork so the child only makes system calls.
struct ChildPlan {
  const char* workdir;
  const char* python;
  std::vector<const char*> mounts;  // to remount read-only
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string uid_map, gid_map;
  int out_w, err_w, status_w;
  int secret_r, report_w;  // become fds 3 and 4 of the program
  const SandboxLimits* limits;
  rlim_t cpu_seconds;
};

// Runs in the forked child; never returns.
[[noreturn]] void child_main(const ChildPlan& p) {
  setsid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Lift every pipe above the five fds the program gets first: any of them may itself be 0..4,
  // and dup2 onto one would close it before it was moved. The copies are close-on-exec; the
  // dup2 targets are not, so after exec the program holds exactly fds 0..4.
  const int out_w = fcntl(p.out_w, F_DUPFD_CLOEXEC, 10), err_w = fcntl(p.err_w, F_DUPFD_CLOEXEC, 10);
  const int secret_r = fcntl(p.secret_r, F_DUPFD_CLOEXEC, 10), report_w = fcntl(p.report_w, F_DUPFD_CLOEXEC, 10);
  const int status_w = fcntl(p.status_w, F_DUPFD_CLOEXEC, 10);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) dup2(devnull, 0);
  dup2(out_w, 1);
  dup2(err_w, 2);
  dup2(secret_r, 3);
  dup2(report_w, 4);

  bool is_root = geteuid() == 0;
  bool user_ns = false, net = false, mnt = false, pid = false;
  if (is_root) {
    if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID) == 0) {
      net = mnt = pid = true;
    } else {
      net = unshare(CLONE_NEWNET) == 0;
      mnt = unshare(CLONE_NEWNS) == 0;
      pid = unshare(CLONE_NEWPID) == 0;
    }
  } else if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID) == 0) {
    // Become root of the new user namespace (mapped to our own uid), which grants the
    // capabilities the mount calls below need, inside the namespaces only.
    write_file_raw("/proc/self/setgroups", "deny");
    user_ns = write_file_raw("/proc/self/uid_map", p.uid_map.c_str()) &&
              write_file_raw("/proc/self/gid_map", p.gid_map.c_str());
    net = mnt = pid = true;
  }

  bool fs_readonly = false;
  if (mnt && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
      mount(p.workdir, p.workdir, nullptr, MS_BIND | MS_REC, nullptr) == 0) {
    fs_readonly = true;
    for (const char* m : p.mounts) {
      int rc = mount(nullptr, m, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | preserved_mount_flags(m), nullptr);
      // The root mount must become read-only; others (proc, sysfs in a user namespace) may refuse.
      if (rc != 0 && std::strcmp(m, "/") == 0) fs_readonly = false;
    }
  }

  if (pid) {
    // unshare(CLONE_NEWPID) applies to children: the program runs as the namespace's init, and
    // when it exits the kernel kills everything left in the namespace.
    pid_t init = fork();
    if (init < 0) _exit(126);
    if (init > 0) {
      // Hold no pipe at all: the ends of file of the program's channels must come when it
      // exits, and pipes inherited from other threads' sandboxes must not wait on us.
      close_fds_from(1);
      int st = 0;
      while (waitpid(init, &st, 0) < 0 && errno == EINTR) {
      }
      if (WIFEXITED(st)) _exit(WEXITSTATUS(st));
      int sig = WIFSIGNALED(st) ? WTERMSIG(st) : SIGKILL;
      signal(sig, SIG_DFL);
      prctl(PR_SET_DUMPABLE, 0);
      set_limit(RLIMIT_CORE, 0);
      kill(getpid(), sig);
      _exit(128 + sig);
    }
  }

  // The program is now its PID namespace's init: a procfs mounted here shows that namespace
  // only, so the host's processes (and their command lines) are out of sight. Where procfs
  // cannot be mounted, an empty read-only tmpfs hides the host's /proc instead.
  bool own_proc = false;
  if (mnt) {
    const unsigned long proc_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    own_proc = (pid && mount("proc", "/proc", "proc", proc_flags, nullptr) == 0) ||
               mount("tmpfs", "/proc", "tmpfs", proc_flags | MS_RDONLY, "size=4k,mode=555") == 0;
  }

  set_limit(RLIMIT_CORE, 0);
  set_limit(RLIMIT_AS, static_cast<rlim_t>(p.limits->memory_bytes));
  set_limit(RLIMIT_FSIZE, static_cast<rlim_t>(p.limits->max_file_bytes));
  set_limit(RLIMIT_CPU, p.cpu_seconds);
  set_limit(RLIMIT_NOFILE, 256);
  set_limit(RLIMIT_NPROC, static_cast<rlim_t>(p.limits->max_processes));

  bool nobody = false;
  if (is_root && !user_ns) {
    nobody = setgroups(0, nullptr) == 0 && setgid(kNobody) == 0 && setuid(kNobody) == 0;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // a uid change clears it
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  umask(077);
  if (chdir(p.workdir) != 0) _exit(125);

  char status[8] = {static_cast<char>('0' + net),     static_cast<char>('0' + fs_readonly),
                    static_cast<char>('0' + pid),     static_cast<char>('0' + nobody),
                    static_cast<char>('0' + user_ns), static_cast<char>('0' + own_proc),
                    '\n',                            0};
  if (write(status_w, status, 7) != 7) _exit(124);
  execve(p.python, p.argv.data(), p.envp.data());
  if (write(status_w, "E", 1) != 1) _exit(127);
  _exit(127);
}

// SIGKILLs the group until it is empty. SIGKILL to a group is atomic with respect to fork,
// but repeat to be sure nothing was mid-creation. Our own child stays a zombie (and keeps the
// group alive) until reaped, so reap it here too; other zombies awaiting their reaper also
// answer kill(), hence the cap.
void kill_group(pid_t pgid, pid_t child, int* wstatus, bool* reaped) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    if (kill(-pgid, SIGKILL) != 0 && errno == ESRCH) return;
    if (!*reaped && waitpid(child, wstatus, WNOHANG) == child) *reaped = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// The sandbox's pipes, closed on every path out (a throw included) unless handed to a Drain.
struct Pipes {
  int p[5][2];
  Pipes() {
    for (auto& pair : p) pair[0] = pair[1] = -1;
    for (auto& pair : p)
      if (pipe2(pair, O_CLOEXEC) != 0) {
        int saved = errno;
        close_all();
        errno = saved;
        throw std::runtime_error(errno_text("sandbox: pipe"));
      }
  }
  void close_end(int i, int end) {
    if (p[i][end] >= 0) close(p[i][end]);
    p[i][end] = -1;
  }
  void release_read_ends() {
    for (auto& pair : p) pair[0] = -1;
  }
  void close_all() {
    for (int i = 0; i < 5; ++i) close_end(i, 0), close_end(i, 1);
  }
  ~Pipes() { close_all(); }
};

struct Drain {
  int fd;
  std::string* text;
  int64_t cap;
  bool open = true;
};

// Reads whatever is available; closes the stream at EOF.
void read_some(Drain& d) {
  char buf[8192];
  ssize_t n = read(d.fd, buf, sizeof buf);
  if (n > 0) {
    int64_t room = d.cap - static_cast<int64_t>(d.text->size());
    if (room > 0) d.text->append(buf, static_cast<size_t>(std::min<int64_t>(room, n)));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close(d.fd);
    d.open = false;
  }
}

void pump(std::vector<Drain*>& streams, int timeout_ms) {
  std::vector<pollfd> fds;
  std::vector<Drain*> who;
  for (auto* d : streams)
    if (d->open) {
      fds.push_back({d->fd, POLLIN, 0});
      who.push_back(d);
    }
  if (fds.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  int rc = poll(fds.data(), fds.size(), timeout_ms);
  if (rc <= 0) return;
  for (size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_some(*who[i]);
}

}  // namespace

std::string SandboxIsolation::describe() const {
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += "+";
    s += name;
  };
  add(network, "net");
  add(filesystem, "readonly-fs");
  add(pid_namespace, "pid");
  add(own_proc, "proc");
  add(dropped_to_nobody, "nobody");
  add(user_namespace, "userns");
  return s.empty() ? "none" : s;
}

std::string sandbox_python() {
  static const std::string resolved = [] {
    if (access("/usr/bin/python3", X_OK) == 0) return std::string("/usr/bin/python3");
    FILE* f = popen("python3 -c 'import sys; print(sys.executable)' 2>/dev/null", "r");
    std::string out;
    if (f) {
      char buf[4096];
      while (fgets(buf, sizeof buf, f)) out += buf;
      pclose(f);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }();
  if (resolved.empty()) throw std::runtime_error("sandbox: no python3 found (looked at /usr/bin/python3 and PATH)");
  return resolved;
}

SandboxResult run_python_sandboxed(const std::string& source, const SandboxLimits& limits, const std::string& secret) {
  const std::string python = sandbox_python();
  std::string base = limits.base_dir;
  if (base.empty()) base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  std::string tmpl = (fs::path(base) / "sftx-sandbox-XXXXXX").string();
  std::vector<char> tmpl_buf(tmpl.begin(), tmpl.end());
  tmpl_buf.push_back('\0');
  if (!mkdtemp(tmpl_buf.data())) throw std::runtime_error(errno_text(("sandbox: mkdtemp in " + base).c_str()));
  const std::string workdir = fs::canonical(tmpl_buf.data()).string();
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{workdir};

  const std::string program = workdir + "/program.py";
  {
    // Flushed and closed before the check: a program cut short by a full disk would otherwise
    // run, fail, and be scored as the model's failure.
    std::ofstream out(program, std::ios::binary);
    out << source;
    out.close();
    if (!out) throw std::system_error(errno, std::generic_category(), "sandbox: cannot write " + program);
  }
  if (geteuid() == 0) {
    // The program will run as nobody: give it its own directory and nothing else.
    if (chown(workdir.c_str(), kNobody, kNobody) != 0 || chown(program.c_str(), kNobody, kNobody) != 0)
      throw std::runtime_error(errno_text("sandbox: chown to nobody"));
  }

  std::string env_home = "HOME=" + workdir, env_tmp = "TMPDIR=" + workdir;
  std::string env_path = "PATH=/usr/local/bin:/usr/bin:/bin", env_lang = "LANG=C.UTF-8";
  std::string env_nobc = "PYTHONDONTWRITEBYTECODE=1", env_hash = "PYTHONHASHSEED=0";
  std::string arg0 = python, arg1 = "-I", arg2 = "-B", arg3 = "program.py";

  ChildPlan plan;
  plan.workdir = workdir.c_str();
  plan.python = python.c_str();
  std::vector<std::string> mounts = mount_points();
  for (const auto& m : mounts) plan.mounts.push_back(m.c_str());
  plan.argv = {arg0.data(), arg1.data(), arg2.data(), arg3.data(), nullptr};
  plan.envp = {env_home.data(), env_tmp.data(), env_path.data(), env_lang.data(),
               env_nobc.data(), env_hash.data(), nullptr};
  plan.uid_map = "0 " + std::to_string(geteuid()) + " 1\n";
  plan.gid_map = "0 " + std::to_string(getegid()) + " 1\n";
  plan.limits = &limits;
  plan.cpu_seconds = static_cast<rlim_t>(limits.cpu_seconds > 0 ? limits.cpu_seconds
                                                                   : static_cast<int64_t>(std::ceil(limits.timeout_s)) + 1);

  // Five pipes: stdout, stderr, setup status, the secret (fd 3) and the report (fd 4).
  Pipes pipes;
  const int *out_p = pipes.p[0], *err_p = pipes.p[1], *st_p = pipes.p[2], *secret_p = pipes.p[3], *report_p = pipes.p[4];
  // The secret goes into its pipe now (a pipe buffer holds far more than a token) and the
  // write end is closed, so the program reads it and then end-of-file.
  if (secret.size() > 4096) throw std::runtime_error("sandbox: a harness secret is at most 4096 bytes");
  if (!secret.empty() && write(secret_p[1], secret.data(), secret.size()) != static_cast<ssize_t>(secret.size()))
    throw std::runtime_error(errno_text("sandbox: writing the harness secret"));
  pipes.close_end(3, 1);
  plan.out_w = out_p[1];
  plan.err_w = err_p[1];
  plan.status_w = st_p[1];
  plan.secret_r = secret_p[0];
  plan.report_w = report_p[1];

  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(errno_text("sandbox: fork"));
  if (pid == 0) child_main(plan);
  for (int i = 0; i < 5; ++i) pipes.close_end(i, 1);
  pipes.close_end(3, 0);

  SandboxResult r;
  r.process_group = pid;  // setsid() made the child its group's leader
  std::string status;
  Drain d_out{out_p[0], &r.stdout_text, limits.max_output_bytes};
  Drain d_err{err_p[0], &r.stderr_text, limits.max_output_bytes};
  Drain d_st{st_p[0], &status, 64};
  Drain d_report{report_p[0], &r.report_text, limits.max_output_bytes};
  std::vector<Drain*> streams{&d_out, &d_err, &d_st, &d_report};
  pipes.release_read_ends();  // the drains close them

  auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(limits.timeout_s));
  int wstatus = 0;
  bool reaped = false;
  for (;;) {
    if (waitpid(pid, &wstatus, WNOHANG) == pid) {
      reaped = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      r.timed_out = true;
      kill_group(pid, pid, &wstatus, &reaped);
      break;
    }
    pump(streams, 20);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  kill_group(pid, pid, &wstatus, &reaped);  // whatever the program left behind in its group
  while (!reaped && waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  // Collect the rest of the output; bounded, in case something escaped holding a pipe.
  auto drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while ((d_out.open || d_err.open || d_st.open || d_report.open) && std::chrono::steady_clock::now() < drain_until)
    pump(streams, 20);
  for (auto* d : streams)
    if (d->open) close(d->fd);

  if (WIFEXITED(wstatus)) r.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) r.signal = WTERMSIG(wstatus);
  if (r.timed_out) r.signal = SIGKILL;
  if (status.size() >= 6) {
    r.isolation.network = status[0] == '1';
    r.isolation.filesystem = status[1] == '1';
    r.isolation.pid_namespace = status[2] == '1';
    r.isolation.dropped_to_nobody = status[3] == '1';
    r.isolation.user_namespace = status[4] == '1';
    r.isolation.own_proc = status[5] == '1';
  }
  if (status.find('E') != std::string::npos) throw std::runtime_error("sandbox: cannot execute " + python);
  return r;
}

}  // namespace sftx::rt
