// sftx cache ls | verify | gc: look after the content-addressed cache (interpreter/exec).
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>

#include <fmt/core.h>

#include "commands.h"
#include "interpreter/exec/cache_store.h"
#include "interpreter/front/check.h"
#include "interpreter/front/config.h"
#include "interpreter/front/plan_build.h"

namespace sftx::cli {

namespace fs = std::filesystem;

namespace {

std::string human_size(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

// --cache, else the sftx.toml found from the current directory upwards, else ./.sftx-cache.
fs::path cache_root(const std::string& option) {
  if (!option.empty()) return fs::absolute(option);
  Diagnostics diags;
  auto config = load_project_config(fs::current_path() / "sftx.toml", diags);
  if (!config) {
    fmt::print(stderr, "{}", diags.render(isatty(fileno(stderr)) != 0));
    throw std::runtime_error("cannot read sftx.toml");
  }
  return config->cache_dir;
}

// "2026-11-21T19:40:00Z" -> seconds since the epoch (UTC); -1 when unreadable.
long long parse_created(const std::string& iso) {
  std::tm tm{};
  if (!strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return -1;
  return static_cast<long long>(timegm(&tm));
}

int cache_ls(const fs::path& root) {
  if (!fs::exists(root / "objects")) {
    fmt::print(stderr, "no cache at {}\n", root.string());
    return 0;
  }
  exec::CacheStore store(root);
  uint64_t total = 0;
  size_t n = 0;
  fmt::print("{:<16} {:<10} {:>10}  {:<20}  {}\n", "KEY", "OP", "SIZE", "CREATED", "LABEL");
  for (const auto& key : store.keys()) {
    auto m = store.read_manifest(key);
    ++n;
    if (!m) {
      fmt::print("{:<16} {:<10} {:>10}  {:<20}  {}\n", key.substr(0, 16), "?", "?", "?", "(manifest unreadable)");
      continue;
    }
    total += m->total_size();
    fmt::print("{:<16} {:<10} {:>10}  {:<20}  {}\n", key.substr(0, 16), m->op, human_size(m->total_size()), m->created,
               m->label.empty() ? m->node_id : m->label);
  }
  fmt::print("{} object(s), {} in {}\n", n, human_size(total), root.string());
  return 0;
}

int cache_verify(const fs::path& root) {
  exec::CacheStore store(root);
  size_t ok = 0, bad = 0;
  for (const auto& key : store.keys()) {
    exec::ObjectCheck c = store.check(key);
    if (c.status == exec::ObjectCheck::Status::valid) {
      ++ok;
      continue;
    }
    ++bad;
    auto m = store.read_manifest(key);
    fmt::print("corrupt {} {}: {}\n", key, m ? m->label : std::string("?"), c.problem);
  }
  std::vector<std::string> malformed = store.malformed_entries();
  for (const auto& entry : malformed) fmt::print("malformed {}\n", entry);
  fmt::print("{} object(s) verified, {} corrupt", ok + bad, bad);
  if (!malformed.empty()) fmt::print(", {} malformed entr{}", malformed.size(), malformed.size() == 1 ? "y" : "ies");
  fmt::print("\n");
  return bad > 0 || !malformed.empty() ? 1 : 0;
}

struct GcArgs {
  std::vector<std::string> files;
  std::vector<std::string> profiles;
  double older_than_days = -1;
  bool dry_run = false;
};

int cache_gc(const fs::path& root, const GcArgs& a) {
  if (a.files.empty() && a.older_than_days < 0) {
    fmt::print(stderr, "sftx cache gc: give the experiment files whose nodes to keep, or --older-than DAYS\n");
    return 2;
  }
  // Every key the given files still reference, with no profile and with each profile given.
  std::set<std::string> keep;
  std::vector<std::string> profiles = {""};
  profiles.insert(profiles.end(), a.profiles.begin(), a.profiles.end());
  for (const auto& file : a.files) {
    for (const auto& profile : profiles) {
      Diagnostics diags;
      CheckOptions o;
      o.profile = profile;
      auto checked = check_file(file, diags, o);
      std::optional<PlanGraph> plan;
      if (checked) plan = build_plan_graph(*checked, "", diags);
      if (!checked || !plan) {
        fmt::print(stderr, "{}", diags.render(isatty(fileno(stderr)) != 0));
        fmt::print(stderr, "sftx cache gc: {} has errors; nothing removed\n", file);
        return 1;
      }
      for (const auto& n : plan->nodes) keep.insert(n.key);
    }
  }
  long long now = static_cast<long long>(std::time(nullptr));
  exec::CacheStore store(root);
  size_t removed = 0, kept = 0;
  uint64_t freed = 0;
  for (const auto& key : store.keys()) {
    auto m = store.read_manifest(key);
    bool unreferenced = a.files.empty() || !keep.count(key);
    bool old = a.older_than_days < 0 ||
               (m && parse_created(m->created) >= 0 && now - parse_created(m->created) > a.older_than_days * 86400);
    if (!unreferenced || !old) {
      ++kept;
      continue;
    }
    // Never delete an object someone is building or rebuilding right now.
    auto lock = store.try_lock(key);
    if (!lock) {
      ++kept;
      continue;
    }
    uint64_t size = m ? m->total_size() : 0;
    fmt::print("{} {} {} ({})\n", a.dry_run ? "would remove" : "removed", key.substr(0, 16),
               m ? m->label : std::string("(manifest unreadable)"), human_size(size));
    if (!a.dry_run) {
      store.remove_object(key);
      std::error_code ec;
      fs::remove_all(store.work_dir(key), ec);
    }
    ++removed;
    freed += size;
  }
  fmt::print("{} {} object(s) ({}), kept {}\n", a.dry_run ? "would remove" : "removed", removed, human_size(freed), kept);
  return 0;
}

}  // namespace

void add_cache_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("cache", "List, verify and clean the content-addressed cache");
  cmd->description(
      "The cache holds one object per graph node (data, tokenizer, packed shards, trained\n"
      "stages, evaluations, reports), keyed by the SHA-256 of the node's description.\n\n"
      "Examples:\n"
      "  sftx cache ls\n"
      "  sftx cache verify                       # re-hash every object; exit 1 if any is corrupt\n"
      "                                          # or an entry is not an object directory\n"
      "  sftx cache gc experiments/*.sftx --dry-run   # what the files no longer use\n"
      "  sftx cache gc --older-than 30");
  cmd->require_subcommand(1);
  // `--cache DIR` belongs to `cache` but may come after its subcommand too
  // (`sftx cache verify --cache DIR`): ls, verify and gc inherit this and pass what they do
  // not know up to `cache`.
  cmd->fallthrough();
  auto cache = std::make_shared<std::string>();
  cmd->add_option("--cache", *cache, "cache directory (default: sftx.toml's, found from the current directory)");

  auto wrap = [&exit_code, cache](auto fn) {
    return [&exit_code, cache, fn] {
      try {
        exit_code = fn(cache_root(*cache));
      } catch (const std::exception& e) {
        fmt::print(stderr, "sftx cache: error: {}\n", e.what());
        exit_code = 3;
      }
    };
  };

  auto* ls = cmd->add_subcommand("ls", "List objects: key, op, size, created, label");
  ls->callback(wrap([](const fs::path& root) { return cache_ls(root); }));

  auto* verify = cmd->add_subcommand("verify", "Re-hash every object; report corrupt ones and entries that are not objects (exit 1 if any)");
  verify->callback(wrap([](const fs::path& root) { return cache_verify(root); }));

  auto gc_args = std::make_shared<GcArgs>();
  auto* gc = cmd->add_subcommand("gc", "Remove objects the given files no longer reference, or older ones");
  gc->add_option("FILE", gc_args->files, "experiment files whose nodes are kept");
  gc->add_option("--profile", gc_args->profiles, "also keep the nodes of the files under this profile (repeatable)");
  gc->add_option("--older-than", gc_args->older_than_days, "only remove objects created more than DAYS ago");
  gc->add_flag("--dry-run", gc_args->dry_run, "print what would be removed, remove nothing");
  gc->callback(wrap([gc_args](const fs::path& root) { return cache_gc(root, *gc_args); }));
}

}  // namespace sftx::cli
