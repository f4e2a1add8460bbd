// sftx plan — placeholder registration until this command is implemented (see its issue).
#include <fmt/core.h>

#include "commands.h"

namespace sftx::cli {

void add_plan_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("plan", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([&exit_code] {
    fmt::print(stderr, "sftx plan: not built yet\n");
    exit_code = 3;
  });
}

}  // namespace sftx::cli
