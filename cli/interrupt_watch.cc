#include "interrupt_watch.h"

#include <fcntl.h>
#include <cerrno>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace sftx::cli {

namespace {

int g_signal_pipe = -1;  // the write end, for the handler

void on_signal(int sig) {
  unsigned char byte = static_cast<unsigned char>(sig);
  ssize_t ignored = ::write(g_signal_pipe, &byte, 1);
  (void)ignored;
}

}  // namespace

InterruptWatch::InterruptWatch(std::function<std::string()> message) {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  g_signal_pipe = pipe_[1];
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
  const int read_end = pipe_[0];
  thread_ = std::thread([read_end, message = std::move(message)] {
    unsigned char sig = 0;
    ssize_t n;
    do {
      n = ::read(read_end, &sig, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || sig == 0) return;  // 0: the watch ends (destructor)
    std::string text = "\n" + message();
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
    ::_exit(128 + sig);
  });
}

InterruptWatch::~InterruptWatch() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  unsigned char stop = 0;
  ssize_t ignored = ::write(pipe_[1], &stop, 1);
  (void)ignored;
  if (thread_.joinable()) thread_.join();
  g_signal_pipe = -1;
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

}  // namespace sftx::cli
