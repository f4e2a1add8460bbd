// sftx.toml: project configuration, found in the .sftx file's directory or the nearest parent.
//
//   cache  = ".sftx-cache"          # relative to the sftx.toml's directory
//   device = "cpu"                  # cpu | cuda
//   dtype  = "auto"                 # auto | fp32 | bf16
//   runs   = "runs"                 # where `sftx run` writes runs/<experiment>/<timestamp>/
//
//   [models]                        # hf("name") looks names up here first
//   llama7b = "/models/llama-7b"
//
//   [judge]                         # mtbench(...): an external judge command
//   command = ["python3", "judge.py"]
//
//   [profile.smoke]                 # --profile smoke
//   preset = "nano"                 # replaces the preset of every model(...)
//   nproc = 2                       # data-parallel ranks per training stage (sftx run --nproc
//                                   # wins); not part of any stage's key (docs/distributed.md)
//   synthetic_level = "micro"       # replaces the level of every synthetic(...) that has it
//   [profile.smoke.train]           # hyperparameters, above the file's defaults { }
//   epochs = 1
//   max_steps = 20
//   [profile.smoke.synthetic]       # sizes of synthetic(...) sources, by kind
//   math = 200
//   "*" = 100                       # every other kind
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grammar/diagnostics.h"

namespace sftx {

// A profile's hyperparameter value, kept as written so the checker can type it.
struct ConfigValue {
  enum class Kind { integer, real, string, boolean } kind = Kind::integer;
  std::string text;     // the value as TOML text would print it: 3, 2e-05, "cosine", true
  int line = 0;         // where it was written, for diagnostics
  int column = 0;
};

struct Profile {
  std::string name;
  std::optional<std::string> preset;
  std::optional<std::string> synthetic_level;        // paper | micro
  std::optional<int> nproc;                          // ranks per training stage (>= 1)
  std::map<std::string, ConfigValue> train;          // hyperparameter overrides
  std::map<std::string, long long> synthetic_sizes;  // kind (or "*") -> n
  int line = 0;
};

struct ProjectConfig {
  std::filesystem::path path;      // the sftx.toml read; empty when none was found
  std::filesystem::path cache_dir; // absolute
  std::filesystem::path runs_dir;  // absolute
  std::string device = "cpu";
  std::string dtype = "auto";
  std::map<std::string, std::filesystem::path> models;
  std::vector<std::string> judge_command;
  std::map<std::string, Profile> profiles;
};

// Finds and reads the sftx.toml for `sftx_file` (its directory, then each parent). With none
// found, returns the defaults (cache and runs beside the .sftx file). Errors (syntax, unknown
// keys, wrong types) go to `diags` with the TOML file's line and column; returns nullopt then.
std::optional<ProjectConfig> load_project_config(const std::filesystem::path& sftx_file,
                                                 Diagnostics& diags);

// Reads one given sftx.toml (no discovery).
std::optional<ProjectConfig> read_project_config(const std::filesystem::path& toml_file,
                                                 Diagnostics& diags);

}  // namespace sftx
