// sftx: declarative, reproducible supervised fine-tuning experiments.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include <fmt/core.h>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "sftx — compile .sftx experiment files into a cached graph of data, training and\n"
      "evaluation steps, and run them on LibTorch (CPU or CUDA).\n\n"
      "Typical session:\n"
      "  sftx check experiments/quickstart.sftx        # parse and type-check\n"
      "  sftx plan  experiments/quickstart.sftx        # what would run, what is cached\n"
      "  sftx run   experiments/quickstart.sftx        # train, evaluate, print the table\n"
      "  sftx run   experiments/k_sweep.sftx --executor slurm   # one Slurm job per node\n"
      "  sftx export experiments/quickstart.sftx multitask -o out/   # a Hugging Face model directory\n",
      "sftx"};
  app.set_version_flag("--version", "sftx 0.1.0");
  app.require_subcommand(1);
  app.footer("Run `sftx COMMAND --help` for a command's options and an example, and\n"
             "`sftx builtins` for every built-in function of the language with its options.\n"
             "Exit status: 0 success, 1 diagnosed error in the input, 2 usage error, 3 runtime failure.");

  int exit_code = 0;
  sftx::cli::add_check_command(app, exit_code);
  sftx::cli::add_plan_command(app, exit_code);
  sftx::cli::add_run_command(app, exit_code);
  sftx::cli::add_data_command(app, exit_code);
  sftx::cli::add_score_command(app, exit_code);
  sftx::cli::add_graph_command(app, exit_code);
  sftx::cli::add_export_command(app, exit_code);
  sftx::cli::add_cache_command(app, exit_code);
  sftx::cli::add_status_command(app, exit_code);
  sftx::cli::add_cancel_command(app, exit_code);
  sftx::cli::add_node_command(app, exit_code);
  sftx::cli::add_builtins_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // A command should diagnose its own failures; this is the last line of defence so that
    // no raw C++ exception ever reaches the user.
    fmt::print(stderr, "sftx: internal error: {}\n", e.what());
    return 3;
  }
  // What a command printed (a score, a plan, a graph) is output too: `sftx score ... >
  // /dev/full` or a full disk under `> file` must not exit 0 with the result lost.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int err = errno;
    fmt::print(stderr, "sftx: cannot write standard output: {}\n", std::strerror(err ? err : EIO));
    return 3;
  }
  return exit_code;
}
