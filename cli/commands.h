// Each `sftx COMMAND` lives in its own cli/cmd_<command>.cc and registers itself here.
// A command's callback stores its exit status in `exit_code`:
//   0 success, 1 diagnosed user error, 2 usage error, 3 runtime failure (contract §8).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace sftx::cli {

// `--plan LABEL` (run, plan): one label per occurrence, repeatable; `--plan X FILE` takes X only
// (a vector option would otherwise swallow the positionals after it).
inline CLI::Option* add_plan_option(CLI::App* cmd, std::vector<std::string>& plans, const std::string& help) {
  return cmd->add_option("--plan", plans, help)
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

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
