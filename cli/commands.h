// Each `sftx COMMAND` lives in its own cli/cmd_<command>.cc and registers itself here.
// A command's callback stores its exit status in `exit_code`:
//   0 success, 1 diagnosed user error, 2 usage error, 3 runtime failure (contract §8).
#pragma once

#include <CLI/CLI.hpp>

namespace sftx::cli {

void add_check_command(CLI::App& app, int& exit_code);
void add_plan_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_data_command(CLI::App& app, int& exit_code);
void add_score_command(CLI::App& app, int& exit_code);
void add_graph_command(CLI::App& app, int& exit_code);
void add_cache_command(CLI::App& app, int& exit_code);
void add_status_command(CLI::App& app, int& exit_code);
void add_cancel_command(CLI::App& app, int& exit_code);
void add_node_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_builtins_command(CLI::App& app, int& exit_code);

}  // namespace sftx::cli
