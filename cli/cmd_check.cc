// sftx check FILE [--profile P]: parse and check; prints nothing on success.
#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/front/check.h"

namespace sftx::cli {

void add_check_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("check", "Parse and type-check a .sftx file (and its imports)");
  cmd->description(
      "Parse and type-check a .sftx file, its `use` imports and the prelude, in one pass.\n"
      "The files it names are read too: data files must exist, hf(...) checkpoints must hold\n"
      "config.json, safetensors weights and a tokenizer that fits the model's vocab_size,\n"
      "sentencepiece(PATH) must be a SentencePiece model, LoRA targets must be projections.\n"
      "Prints nothing when the file is correct; otherwise every error and warning, as\n"
      "PATH:LINE:COL: error: MESSAGE with the source line and a caret.\n\n"
      "Example:\n"
      "  sftx check experiments/k_sweep.sftx\n"
      "  sftx check experiments/k_sweep.sftx --profile smoke   # also check the profile's values");
  auto file = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "the .sftx file to check")->required();
  cmd->add_option("--profile", *profile, "apply this [profile.NAME] of sftx.toml");
  cmd->callback([&exit_code, file, profile] {
    Diagnostics diags;
    CheckOptions options;
    options.profile = *profile;
    auto checked = check_file(*file, diags, options);
    if (!diags.empty()) fmt::print(stderr, "{}", diags.render(isatty(fileno(stderr)) != 0));
    exit_code = checked ? 0 : 1;
  });
}

}  // namespace sftx::cli
