#include "interpreter/front/executor_config.h"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "interpreter/front/did_you_mean.h"

namespace sftx {

std::optional<ExecutorConfig> read_executor_config(const std::filesystem::path& toml_file, Diagnostics& diags) {
  ExecutorConfig e;
  if (toml_file.empty()) return e;
  std::ifstream in(toml_file, std::ios::binary);
  if (!in) return e;
  std::stringstream text;
  text << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(text.str(), toml_file.string());
  } catch (const toml::parse_error&) {
    return e;  // read_project_config reports the syntax error
  }
  const toml::table* t = root["executor"].as_table();
  if (!t) return e;
  diags.add_source(toml_file.string(), text.str());

  int errors = 0;
  auto error_at = [&](const toml::node& node, const std::string& message, const std::string& help = {}) {
    const auto& at = node.source().begin;
    auto& d = diags.error(toml_file.string(), int(at.line), int(at.column), message);
    if (!help.empty()) d.helps.push_back(help);
    ++errors;
  };
  auto string_of = [&](const toml::node& node, const std::string& key) -> std::optional<std::string> {
    if (auto s = node.value<std::string>()) return *s;
    error_at(node, "'" + key + "' must be a string");
    return std::nullopt;
  };
  auto count = [&](const toml::node& value, const std::string& k, int& out) {
    auto n = value.value_exact<int64_t>();
    if (!n || *n < 1 || *n > 4096) {
      error_at(value, "'" + k + "' must be a whole number from 1 to 4096");
      return;
    }
    out = static_cast<int>(*n);
  };
  const std::vector<std::string> known = {"kind",          "partition",   "account",           "time",
                                          "cpus_per_task", "gpus_per_task", "sbatch_args",     "shared_filesystem",
                                          "poll_seconds"};
  for (auto&& [key, value] : *t) {
    const std::string k(key.str());
    if (k == "kind") {
      if (auto s = string_of(value, k)) {
        if (*s == "local" || *s == "slurm") e.kind = *s;
        else error_at(value, "'kind' must be one of \"local\", \"slurm\", not \"" + *s + "\"");
      }
    } else if (k == "partition") {
      if (auto s = string_of(value, k)) {
        e.partition = *s;
        e.partition_line = int(value.source().begin.line);
        e.partition_column = int(value.source().begin.column);
      }
    } else if (k == "account") {
      if (auto s = string_of(value, k)) e.account = *s;
    } else if (k == "time") {
      if (auto s = string_of(value, k)) e.time = *s;
    } else if (k == "cpus_per_task") {
      count(value, k, e.cpus_per_task);
    } else if (k == "gpus_per_task") {
      count(value, k, e.gpus_per_task);
    } else if (k == "sbatch_args") {
      auto* arr = value.as_array();
      if (!arr) {
        error_at(value, "'sbatch_args' must be an array of strings, e.g. [\"--qos=high\"]");
        continue;
      }
      for (auto&& part : *arr)
        if (auto s = string_of(part, k)) e.sbatch_args.push_back(*s);
    } else if (k == "shared_filesystem") {
      if (auto b = value.value_exact<bool>()) e.shared_filesystem = *b;
      else error_at(value, "'shared_filesystem' must be true or false");
    } else if (k == "poll_seconds") {
      auto d = value.value<double>();
      if (!d || *d < 0.2 || *d > 600) error_at(value, "'poll_seconds' must be a number from 0.2 to 600");
      else e.poll_seconds = *d;
    } else {
      // TOML++ records a key's position on the key itself; the value's is the best we have.
      error_at(value, "unknown key '" + k + "' in [executor]", did_you_mean(k, known));
    }
  }
  if (errors) return std::nullopt;
  return e;
}

}  // namespace sftx
