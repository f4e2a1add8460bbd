// Ctrl-C (SIGINT) or SIGTERM while `sftx run` works: say what was interrupted and what a rerun
// will do, then exit 128 + the signal. The signal handler only writes the signal's number to a
// pipe; a thread reading the pipe builds and prints the message (nothing async-signal-unsafe
// runs in the handler). The workers die with the driver (PR_SET_PDEATHSIG, worker_process.h)
// or with the terminal's SIGINT; their checkpoints are written atomically, so nothing is lost.
#pragma once

#include <csignal>
#include <functional>
#include <string>
#include <thread>

namespace sftx::cli {

class InterruptWatch {
 public:
  // `message` is called on the watching thread when a signal arrives.
  explicit InterruptWatch(std::function<std::string()> message);
  ~InterruptWatch();  // restores the previous handlers
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

 private:
  int pipe_[2] = {-1, -1};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  std::thread thread_;
};

}  // namespace sftx::cli
