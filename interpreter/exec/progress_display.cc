#include "interpreter/exec/progress_display.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

namespace sftx::exec {

namespace {
double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

ProgressDisplay::ProgressDisplay(std::FILE* out, bool tty, size_t total_nodes)
    : out_(out), tty_(tty), total_(total_nodes) {}

ProgressDisplay::~ProgressDisplay() {
  std::lock_guard<std::mutex> g(mu_);
  running_.clear();
  if (tty_) redraw();
}

std::string ProgressDisplay::format_duration(double seconds) {
  if (!(seconds >= 0) || std::isinf(seconds)) return "?";
  long s = std::lround(seconds);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string ProgressDisplay::bar_line(const std::string& id, const rt::Progress& p, double elapsed_s, int width) {
  std::string line = fmt::format("  {:<6} {}", p.phase.empty() ? "run" : p.phase, id);
  if (p.total > 0) {
    double frac = std::clamp(static_cast<double>(p.done) / static_cast<double>(p.total), 0.0, 1.0);
    int bar = 20;
    int filled = static_cast<int>(frac * bar);
    std::string eta = p.done > 0 ? format_duration(elapsed_s * (1.0 - frac) / frac) : "?";
    line += fmt::format("  [{}{}] {:3.0f}%  {}/{}  ETA {}", std::string(filled, '#'), std::string(bar - filled, '.'),
                        frac * 100, p.done, p.total, eta);
  } else if (p.done > 0) {
    line += fmt::format("  {} done  {}", p.done, format_duration(elapsed_s));
  }
  if (!p.detail.empty()) line += "  " + p.detail;
  if (width > 0 && static_cast<int>(line.size()) > width) line.resize(width);
  return line;
}

void ProgressDisplay::print_above(const std::string& line) {
  if (tty_ && drawn_lines_ > 0) {
    fmt::print(out_, "\x1b[{}F\x1b[J", drawn_lines_);  // up to the first running line, clear below
    drawn_lines_ = 0;
  }
  fmt::print(out_, "{}\n", line);
  if (tty_) redraw();
  std::fflush(out_);
}

void ProgressDisplay::redraw() {
  if (drawn_lines_ > 0) fmt::print(out_, "\x1b[{}F\x1b[J", drawn_lines_);
  drawn_lines_ = 0;
  for (const auto& [id, r] : running_) {
    fmt::print(out_, "{}\n", bar_line(id, r.last, since(r.started), 120));
    ++drawn_lines_;
  }
  std::fflush(out_);
  last_draw_ = std::chrono::steady_clock::now();
}

void ProgressDisplay::started(const PlanNode& node) {
  std::lock_guard<std::mutex> g(mu_);
  Running r{node.id, {}, std::chrono::steady_clock::now(), 0};
  r.last.phase = node.kind == "data" ? node.op : node.kind;
  running_[node.id] = r;
  if (tty_) redraw();
  else print_above(fmt::format("start  {} {}", node.kind, node.id));
}

void ProgressDisplay::progress(const PlanNode& node, const rt::Progress& p) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = running_.find(node.id);
  if (it == running_.end()) return;
  Running& r = it->second;
  r.last = p;
  if (r.last.phase.empty()) r.last.phase = node.kind;
  if (tty_) {
    if (since(last_draw_) >= 0.1) redraw();
    return;
  }
  if (p.total > 0) {
    int quarter = static_cast<int>(4 * p.done / p.total);
    if (quarter > r.last_quarter && quarter < 4) {
      r.last_quarter = quarter;
      print_above(bar_line(node.id, p, since(r.started), 0));
    }
  }
}

void ProgressDisplay::finished(const PlanNode& node, const NodeRun& run) {
  std::lock_guard<std::mutex> g(mu_);
  running_.erase(node.id);
  ++finished_;
  std::string line = fmt::format("[{}/{}] {:<8} {} {}", finished_, total_, to_string(run.status), node.kind, node.id);
  if (run.status == NodeStatus::executed || run.status == NodeStatus::reused)
    line += fmt::format(" ({})", format_duration(run.seconds));
  if (run.outputs.contains("resumed_from_step") && run.outputs["resumed_from_step"].get<long long>() > 0 &&
      run.status == NodeStatus::executed)
    line += fmt::format(" resumed from step {}", run.outputs["resumed_from_step"].get<long long>());
  if (run.status == NodeStatus::failed) line += "\n  error: " + run.error;
  print_above(line);
}

void ProgressDisplay::warning(const std::string& message) {
  std::lock_guard<std::mutex> g(mu_);
  print_above("warning: " + message);
}

}  // namespace sftx::exec
