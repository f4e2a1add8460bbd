#include "runtime/nn/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <fmt/core.h>

namespace sftx::rt {

std::string format_duration(double seconds) {
  auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string format_progress_bar(const std::string& phase, int64_t done, int64_t total, double elapsed_s,
                                const std::string& detail, int bar_width) {
  std::string out = phase;
  double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
  if (total > 0) {
    double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    int filled = static_cast<int>(frac * bar_width);
    out += " [" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "]";
    out += fmt::format(" {}/{} {:3.0f}%", done, total, 100 * frac);
  } else {
    out += fmt::format(" {}", done);
  }
  out += rate >= 1 || rate == 0 ? fmt::format("  {:.1f} it/s", rate) : fmt::format("  {:.1f} s/it", 1 / rate);
  if (total > 0 && rate > 0) out += "  ETA " + format_duration(static_cast<double>(total - done) / rate);
  if (!detail.empty()) out += "  " + detail;
  return out;
}

TerminalProgress::TerminalProgress()
    : enabled_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()), last_draw_() {}

void TerminalProgress::update(const std::string& phase, int64_t done, int64_t total, const std::string& detail) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[K%s", format_progress_bar(phase, done, total, elapsed, detail).c_str());
  std::fflush(stderr);
}

void TerminalProgress::finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace sftx::rt
