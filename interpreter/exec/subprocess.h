// Runs a command (no shell: arguments are passed as they are, so node ids with parentheses
// and spaces need no quoting) and collects its exit status, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace sftx::exec {

struct CommandOutput {
  int rc = -1;             // exit status; 127 when the program could not be started
  std::string out;
  std::string err;
};

CommandOutput run_command(const std::vector<std::string>& argv);

// Whether `program` is an executable file on PATH (or, with a '/', at that path).
bool program_on_path(const std::string& program);

}  // namespace sftx::exec
