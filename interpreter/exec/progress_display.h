// The live display of `sftx run` on stderr.
//
// On a terminal: finished nodes scroll up as log lines; below them, one line per running
// node with a bar, percent and ETA, redrawn in place (at most ~10 times a second).
// Otherwise (a log file, CI): plain lines only — start, every quarter of progress, finish —
// so logs stay readable and small.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "interpreter/exec/executor.h"

namespace sftx::exec {

class ProgressDisplay : public ExecObserver {
 public:
  // `total_nodes` numbers the finish lines ("[3/12]"). `tty`: redraw in place.
  ProgressDisplay(std::FILE* out, bool tty, size_t total_nodes);
  ~ProgressDisplay() override;

  void started(const PlanNode& node) override;
  void progress(const PlanNode& node, const rt::Progress& p) override;
  void finished(const PlanNode& node, const NodeRun& run) override;
  void warning(const std::string& message) override;

  // One running-node line: "  train  dmt(1/4).stage2  [#####.....]  52%  ETA 0:41  loss 2.1"
  static std::string bar_line(const std::string& id, const rt::Progress& p, double elapsed_s, int width);
  static std::string format_duration(double seconds);

 private:
  struct Running {
    std::string id;
    rt::Progress last;
    std::chrono::steady_clock::time_point started;
    int last_quarter = 0;
  };
  void print_above(const std::string& line);  // call with mu_ held
  void redraw();                              // call with mu_ held

  std::FILE* out_;
  bool tty_;
  size_t total_;
  size_t finished_ = 0;
  std::mutex mu_;
  std::map<std::string, Running> running_;
  size_t drawn_lines_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace sftx::exec
