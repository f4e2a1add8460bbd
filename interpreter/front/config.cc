#include "interpreter/front/config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/executor_config.h"
#include "runtime/base/device.h"
#include "stdlib/builtins.h"


namespace sftx {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFileName = "sftx.toml";

// Reports problems in one sftx.toml with its path, line and column.
class ConfigReader {
 public:
  ConfigReader(fs::path path, Diagnostics& diags) : path_(std::move(path)), diags_(diags) {}

  std::optional<ProjectConfig> read() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
      diags_.error(path_.string(), 1, 1, "cannot read project configuration");
      return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    diags_.add_source(path_.string(), text.str());
    toml::table root;
    try {
      root = toml::parse(text.str(), path_.string());
    } catch (const toml::parse_error& e) {
      const auto& at = e.source().begin;
      diags_.error(path_.string(), int(at.line), int(at.column), std::string(e.description()));
      return std::nullopt;
    }

    ProjectConfig config = defaults_beside(path_.parent_path());
    config.path = path_;
    const fs::path dir = path_.parent_path();
    for (auto&& [key, node] : root) {
      const std::string k(key.str());
      if (k == "cache") {
        if (auto s = string_of(node, k)) config.cache_dir = absolute_in(dir, *s);
      } else if (k == "runs") {
        if (auto s = string_of(node, k)) config.runs_dir = absolute_in(dir, *s);
      } else if (k == "device") {
        if (auto s = one_of(node, k, rt::device_kind_names())) config.device = *s;
      } else if (k == "dtype") {
        if (auto s = one_of(node, k, {"auto", "fp32", "bf16"})) config.dtype = *s;
      } else if (k == "models") {
        read_models(node, dir, config);
      } else if (k == "judge") {
        read_judge(node, config);
      } else if (k == "profile") {
        read_profiles(node, config);
      } else if (k == "executor") {
        // Read where it is used (executor_config.h); checked here so `sftx check` reports it.
        if (!node.as_table()) error_at(node, "'executor' must be a table");
        else if (!read_executor_config(path_, diags_)) ++errors_;
      } else {
        unknown_key(node, k, {"cache", "runs", "device", "dtype", "models", "judge", "profile", "executor"});
      }
    }
    if (errors_) return std::nullopt;
    return config;
  }

  static ProjectConfig defaults_beside(const fs::path& dir) {
    ProjectConfig c;
    c.cache_dir = fs::absolute(dir / ".sftx-cache").lexically_normal();
    c.runs_dir = fs::absolute(dir / "runs").lexically_normal();
    return c;
  }

 private:
  void error_at(const toml::node& node, const std::string& message, std::string help = {}) {
    const auto& at = node.source().begin;
    auto& d = diags_.error(path_.string(), int(at.line), int(at.column), message);
    if (!help.empty()) d.helps.push_back(std::move(help));
    ++errors_;
  }

  void unknown_key(const toml::node& node, const std::string& key, const std::vector<std::string>& known,
                   const std::string& where = "") {
    std::string help = did_you_mean(key, known);
    // TOML++ records a key's position on the key itself; the value's is the best we have.
    error_at(node, "unknown key '" + key + "'" + (where.empty() ? "" : " in " + where), help);
  }

  std::optional<std::string> string_of(const toml::node& node, const std::string& key) {
    if (auto s = node.value<std::string>()) return *s;
    error_at(node, "'" + key + "' must be a string");
    return std::nullopt;
  }

  std::optional<std::string> one_of(const toml::node& node, const std::string& key,
                                    const std::vector<std::string>& allowed) {
    auto s = string_of(node, key);
    if (!s) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
    error_at(node, "'" + key + "' must be one of " + list + ", not \"" + *s + "\"");
    return std::nullopt;
  }

  const toml::table* table_of(const toml::node& node, const std::string& key) {
    if (auto t = node.as_table()) return t;
    error_at(node, "'" + key + "' must be a table");
    return nullptr;
  }

  static fs::path absolute_in(const fs::path& dir, const std::string& p) {
    fs::path path(p);
    return (path.is_absolute() ? path : fs::absolute(dir / path)).lexically_normal();
  }

  void read_models(const toml::node& node, const fs::path& dir, ProjectConfig& config) {
    auto* t = table_of(node, "models");
    if (!t) return;
    for (auto&& [name, value] : *t)
      if (auto s = string_of(value, std::string(name.str())))
        config.models[std::string(name.str())] = absolute_in(dir, *s);
  }

  void read_judge(const toml::node& node, ProjectConfig& config) {
    auto* t = table_of(node, "judge");
    if (!t) return;
    for (auto&& [key, value] : *t) {
      if (key.str() != "command") {
        unknown_key(value, std::string(key.str()), {"command"}, "[judge]");
        continue;
      }
      auto* arr = value.as_array();
      if (!arr || arr->empty()) {
        error_at(value, "'command' must be a non-empty array of strings, e.g. [\"python3\", \"judge.py\"]");
        continue;
      }
      for (auto&& part : *arr)
        if (auto s = string_of(part, "command")) config.judge_command.push_back(*s);
    }
  }

  void read_profiles(const toml::node& node, ProjectConfig& config) {
    auto* t = table_of(node, "profile");
    if (!t) return;
    for (auto&& [name, body] : *t) {
      Profile profile;
      profile.name = std::string(name.str());
      profile.line = int(body.source().begin.line);
      auto* pt = table_of(body, "profile." + profile.name);
      if (!pt) continue;
      for (auto&& [key, value] : *pt) {
        const std::string k(key.str());
        if (k == "preset") {
          if (auto s = string_of(value, k)) profile.preset = *s;
        } else if (k == "synthetic_level") {
          read_level(value, profile);
        } else if (k == "train") {
          read_train(value, profile);
        } else if (k == "synthetic") {
          read_sizes(value, profile);
        } else if (k == "nproc") {
          read_nproc(value, profile);
        } else {
          unknown_key(value, k, {"preset", "synthetic_level", "nproc", "train", "synthetic"},
                      "[profile." + profile.name + "]");
        }
      }
      config.profiles[profile.name] = std::move(profile);
    }
  }

  // Hyperparameter names and types are checked by the checker, which knows the table of them.
  void read_train(const toml::node& node, Profile& profile) {
    auto* t = table_of(node, "profile." + profile.name + ".train");
    if (!t) return;
    for (auto&& [key, value] : *t) {
      ConfigValue v;
      v.line = int(value.source().begin.line);
      v.column = int(value.source().begin.column);
      if (auto i = value.value_exact<int64_t>()) {
        v.kind = ConfigValue::Kind::integer;
        v.text = std::to_string(*i);
      } else if (auto d = value.value_exact<double>()) {
        v.kind = ConfigValue::Kind::real;
        std::ostringstream os;
        os << toml::value<double>(*d);
        v.text = os.str();
      } else if (auto s = value.value_exact<std::string>()) {
        v.kind = ConfigValue::Kind::string;
        v.text = *s;
      } else if (auto b = value.value_exact<bool>()) {
        v.kind = ConfigValue::Kind::boolean;
        v.text = *b ? "true" : "false";
      } else {
        error_at(value, "'" + std::string(key.str()) + "' must be a number, string or boolean");
        continue;
      }
      profile.train[std::string(key.str())] = v;
    }
  }

  void read_level(const toml::node& node, Profile& profile) {
    auto s = string_of(node, "synthetic_level");
    if (!s) return;
    const auto& levels = known_synthetic_levels();
    if (std::find(levels.begin(), levels.end(), *s) != levels.end()) {
      profile.synthetic_level = *s;
      return;
    }
    std::string list;
    for (const auto& l : levels) list += (list.empty() ? "" : ", ") + ("\"" + l + "\"");
    std::string help = did_you_mean(*s, levels);
    error_at(node, "unknown synthetic level \"" + *s + "\" (known: " + list + ")", help);
  }

  // The machine's limit (cores, GPUs, a partition's) is checked when the run starts.
  void read_nproc(const toml::node& node, Profile& profile) {
    auto n = node.value_exact<int64_t>();
    if (!n || *n < 1 || *n > 65536) {
      error_at(node, "'nproc' must be a whole number of ranks from 1 to 65536");
      return;
    }
    profile.nproc = static_cast<int>(*n);
  }

  void read_sizes(const toml::node& node, Profile& profile) {
    auto* t = table_of(node, "profile." + profile.name + ".synthetic");
    if (!t) return;
    for (auto&& [key, value] : *t) {
      auto n = value.value_exact<int64_t>();
      if (!n || *n < 0 || *n > kMaxSyntheticRecords) {
        error_at(value, "the size of synthetic '" + std::string(key.str()) + "' must be a whole number from 0 to " +
                            std::to_string(kMaxSyntheticRecords));
        continue;
      }
      profile.synthetic_sizes[std::string(key.str())] = *n;
    }
  }

  fs::path path_;
  Diagnostics& diags_;
  int errors_ = 0;
};

}  // namespace

std::optional<ProjectConfig> read_project_config(const fs::path& toml_file, Diagnostics& diags) {
  return ConfigReader(toml_file, diags).read();
}

std::optional<ProjectConfig> load_project_config(const fs::path& sftx_file, Diagnostics& diags) {
  std::error_code ec;
  fs::path dir = fs::absolute(sftx_file, ec).parent_path();
  const fs::path start = dir;
  while (!dir.empty()) {
    if (fs::is_regular_file(dir / kFileName, ec)) return read_project_config(dir / kFileName, diags);
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return ConfigReader::defaults_beside(start);
}

}  // namespace sftx
