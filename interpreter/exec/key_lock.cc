#include "interpreter/exec/key_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

namespace sftx::exec {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string random_token() {
  std::random_device rd;
  std::ostringstream os;
  os << std::hex << rd() << rd() << rd() << rd();
  return os.str();
}

// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); 0 when unknown.
unsigned long long process_start_time(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto close = text.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return std::stoull(field);
  return 0;
}

bool process_alive(long pid, unsigned long long start_time) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  unsigned long long now = process_start_time(pid);
  return now == 0 || start_time == 0 || now == start_time;
}

struct MtimeSeen {
  std::string token;
  timespec mtime{};
  Clock::time_point since{};
};

bool same_time(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

void write_owner_file(const fs::path& file, const LockOwner& o) {
  nlohmann::json j = {{"host", o.host}, {"pid", o.pid}, {"start_time", o.start_time}, {"token", o.token},
                      {"lease_s", o.lease_s}};
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(file.string() + ": cannot write lock file: " + std::strerror(errno));
  std::string text = j.dump() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) throw std::runtime_error(file.string() + ": cannot write lock file: " + std::strerror(err));
}

}  // namespace

struct KeyLock::Held {
  fs::path lock_file;
  LockOwner owner;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread heartbeat;
};

std::string KeyLock::this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::optional<LockOwner> KeyLock::read_owner(const fs::path& lock_file) {
  std::ifstream in(lock_file);
  if (!in) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(in);
    LockOwner o;
    o.host = j.at("host").get<std::string>();
    o.pid = j.at("pid").get<long>();
    o.start_time = j.value("start_time", 0ULL);
    o.token = j.at("token").get<std::string>();
    o.lease_s = j.value("lease_s", 0.0);
    return o;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

// Whether the lock `owner` holds (file mtime `mtime`) is stale, as far as this process can tell.
bool is_stale(const std::optional<LockOwner>& owner, const timespec& mtime, MtimeSeen& seen, const LockTiming& t,
              bool waiting) {
  if (owner && owner->host == KeyLock::this_host()) return !process_alive(owner->pid, owner->start_time);
  // Elsewhere (or unreadable): dead when the heartbeat stopped for a lease. Measured here from
  // when this process first saw the current mtime; a single attempt (not waiting) falls back
  // to comparing with this clock, with a lease of slack for skew.
  std::string token = owner ? owner->token : std::string();
  double lease = owner && owner->lease_s > 0 ? owner->lease_s : t.lease_s;
  if (!waiting) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    double age = std::chrono::duration<double>(now).count() - (mtime.tv_sec + mtime.tv_nsec * 1e-9);
    return age > 2 * lease;
  }
  if (seen.token != token || !same_time(seen.mtime, mtime)) {
    seen = {token, mtime, Clock::now()};
    return false;
  }
  return std::chrono::duration<double>(Clock::now() - seen.since).count() > lease;
}

// Moves the stale lock aside; if what moved was not the stale holder's (a new holder linked
// its file in between), links it back.
void take_over(const fs::path& lock_file, const std::optional<LockOwner>& stale, const std::string& my_token) {
  fs::path aside = lock_file;
  aside += ".stale." + my_token;
  if (std::rename(lock_file.c_str(), aside.c_str()) != 0) return;  // someone else took it over
  auto moved = KeyLock::read_owner(aside);
  bool was_stale = (!stale && !moved) || (stale && moved && moved->token == stale->token);
  if (!was_stale) (void)!::link(aside.c_str(), lock_file.c_str());
  ::unlink(aside.c_str());
}

}  // namespace

std::optional<KeyLock> KeyLock::try_acquire(const fs::path& lock_file, double wait_s, LockTiming timing) {
  auto held = std::make_unique<Held>();
  held->lock_file = lock_file;
  held->owner.host = this_host();
  held->owner.pid = ::getpid();
  held->owner.start_time = process_start_time(held->owner.pid);
  held->owner.token = random_token();
  held->owner.lease_s = timing.lease_s;

  fs::path mine = lock_file;
  mine += "." + held->owner.token;
  write_owner_file(mine, held->owner);
  struct Cleanup {
    fs::path p;
    ~Cleanup() { ::unlink(p.c_str()); }
  } cleanup{mine};

  const bool waiting = wait_s > 0;
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s));
  double pause = 0.05;
  MtimeSeen seen;
  for (;;) {
    if (::link(mine.c_str(), lock_file.c_str()) == 0) break;
    int err = errno;
    struct stat st {};
    // NFS: a retransmitted link may report EEXIST although the first one succeeded; the link
    // count of our own file says.
    if (::stat(mine.c_str(), &st) == 0 && st.st_nlink == 2) break;
    if (err != EEXIST)
      throw std::runtime_error(lock_file.string() + ": cannot take the lock: " + std::strerror(err));
    struct stat lock_st {};
    if (::stat(lock_file.c_str(), &lock_st) != 0) continue;  // released meanwhile: try again
    auto owner = read_owner(lock_file);
    if (is_stale(owner, lock_st.st_mtim, seen, timing, waiting)) {
      take_over(lock_file, owner, held->owner.token);
      continue;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::duration<double>(pause));
    pause = std::min(pause * 2, timing.poll_max_s);
  }

  Held* h = held.get();
  double beat = timing.lease_s / 4;
  h->heartbeat = std::thread([h, beat] {
    std::unique_lock<std::mutex> lk(h->mu);
    while (!h->cv.wait_for(lk, std::chrono::duration<double>(beat), [h] { return h->stop; })) {
      auto owner = read_owner(h->lock_file);
      if (owner && owner->token == h->owner.token) ::utimensat(AT_FDCWD, h->lock_file.c_str(), nullptr, 0);
    }
  });
  return KeyLock(std::move(held));
}

KeyLock KeyLock::acquire(const fs::path& lock_file, LockTiming timing) {
  // Waiting "forever" in slices keeps the staleness bookkeeping inside one call.
  for (;;)
    if (auto lock = try_acquire(lock_file, 3600, timing)) return std::move(*lock);
}

KeyLock::KeyLock(std::unique_ptr<Held> held) : held_(std::move(held)) {}

KeyLock::KeyLock(KeyLock&& other) noexcept : held_(std::move(other.held_)) {}

KeyLock& KeyLock::operator=(KeyLock&& other) noexcept {
  if (this != &other) {
    release();
    held_ = std::move(other.held_);
  }
  return *this;
}

KeyLock::~KeyLock() { release(); }

void KeyLock::release() {
  if (!held_) return;
  {
    std::lock_guard<std::mutex> g(held_->mu);
    held_->stop = true;
  }
  held_->cv.notify_all();
  if (held_->heartbeat.joinable()) held_->heartbeat.join();
  // Only our own lock is removed: one taken over from us (we stalled past the lease) is not.
  auto owner = read_owner(held_->lock_file);
  if (owner && owner->token == held_->owner.token) ::unlink(held_->lock_file.c_str());
  held_.reset();
}

}  // namespace sftx::exec
