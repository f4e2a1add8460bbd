// A child program run to completion with its input given and its output captured: gnuplot for
// plots, the MT-Bench judge command. (Untrusted code goes through sandbox.h instead.)
#pragma once

#include <string>
#include <vector>

namespace sftx::rt {

struct ProcessResult {
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string stdout_text, stderr_text;
  bool ok() const { return !timed_out && signal == 0 && exit_code == 0; }
};

// argv[0] is looked up on PATH. The child runs in its own process group, killed as a whole
// at the timeout. Throws std::runtime_error when the program cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                          double timeout_s = 60.0, const std::string& cwd = "");

}  // namespace sftx::rt
