// sftx builtins [NAME] [--markdown]: the reference of every built-in function, printed from the
// same table `sftx check` binds calls against (docs/builtins.md is its --markdown output).
#include <cstdio>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/front/did_you_mean.h"
#include "stdlib/builtins.h"

namespace sftx::cli {

void add_builtins_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("builtins", "List every built-in function: parameters, types, bounds, defaults");
  cmd->description(
      "Every built-in function (data sources and transforms, models, methods, metrics) with its\n"
      "parameters, their types, bounds and defaults, what the call becomes in the graph and which\n"
      "runtime handler runs it. docs/builtins.md is the --markdown output.\n\n"
      "Example:\n"
      "  sftx builtins               # all of them\n"
      "  sftx builtins dedup         # one\n"
      "  sftx builtins --markdown > docs/builtins.md");
  auto name = std::make_shared<std::string>();
  auto markdown = std::make_shared<bool>(false);
  cmd->add_option("NAME", *name, "only this built-in");
  cmd->add_flag("--markdown", *markdown, "print Markdown (the docs/builtins.md page) instead of text");
  cmd->callback([&exit_code, name, markdown] {
    if (!name->empty() && !find_builtin(*name)) {
      std::string hint = did_you_mean(*name, builtin_names());
      fmt::print(stderr, "sftx builtins: unknown built-in '{}'{}\nknown: {}\n", *name, hint.empty() ? "" : "; " + hint,
                 join_names(builtin_names()));
      exit_code = 2;
      return;
    }
    fmt::print("{}", builtins_reference(*markdown, *name));
    exit_code = 0;
  });
}

}  // namespace sftx::cli
