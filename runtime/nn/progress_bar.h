// A one-line progress bar with rate and ETA for a terminal, e.g.
//   train [#########...........]  45/100  45%  3.1 it/s  ETA 0:18  loss 2.31 lr 1.9e-05
// The worker draws it on stderr only when stderr is a terminal; under the driver stderr is a
// pipe and progress travels as JSON lines on stdout instead (runtime/launch/protocol.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sftx::rt {

// The bar's text for `done` of `total` after `elapsed_s` seconds (no carriage return).
std::string format_progress_bar(const std::string& phase, int64_t done, int64_t total, double elapsed_s,
                                const std::string& detail, int bar_width = 24);
// "1:02:03" / "2:03"
std::string format_duration(double seconds);

// Redraws the bar in place on stderr at most ten times a second (and always on the last step).
class TerminalProgress {
 public:
  TerminalProgress();
  bool enabled() const { return enabled_; }  // stderr is a terminal
  void update(const std::string& phase, int64_t done, int64_t total, const std::string& detail);
  void finish();  // ends the line

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace sftx::rt
