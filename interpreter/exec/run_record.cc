#include "interpreter/exec/run_record.h"

#include <cstdio>
#include <ctime>
#include <set>
#include <system_error>

#include "runtime/base/atomic_file.h"
#include "interpreter/exec/object_layout.h"

namespace sftx::exec {
namespace fs = std::filesystem;

std::string file_safe_name(const std::string& id) {
  std::string out;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || c == '(' || c == ')' || c == '@' || c == '=' || c == ',';
    out += ok ? c : '_';
  }
  if (out.empty() || out[0] == '.') out = "_" + out;
  return out;
}

fs::path make_run_dir(const fs::path& runs_dir, const std::string& experiment) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  fs::path base = runs_dir / file_safe_name(experiment);
  fs::create_directories(base);
  for (int n = 1;; ++n) {
    fs::path dir = base / (n == 1 ? std::string(stamp) : std::string(stamp) + "-" + std::to_string(n));
    std::error_code ec;
    if (fs::create_directory(dir, ec)) return dir;  // false when it exists: another run this second
    if (ec) throw std::runtime_error(dir.string() + ": cannot create run directory: " + ec.message());
  }
}

namespace {

// A unique file name in `dir` for a node id.
fs::path unique_in(const fs::path& dir, const std::string& id, const std::string& ext, std::set<std::string>& used) {
  std::string stem = file_safe_name(id);
  std::string name = stem + ext;
  for (int n = 2; !used.insert(name).second; ++n) name = stem + "-" + std::to_string(n) + ext;
  return dir / name;
}

// A copy into the run directory through an AtomicFile: a full disk leaves no partial copy
// under the name (fs::copy_file left one), and says "DST: cannot write: REASON".
void copy_into_run(const fs::path& src, const fs::path& dst) {
  rt::AtomicFile file(dst);
  std::error_code ec;
  fs::copy_file(src, file.tmp(), fs::copy_options::overwrite_existing, ec);
  if (ec) throw std::system_error(ec, dst.string() + ": cannot write");
  file.commit();
}

void point_latest(const fs::path& run_dir) {
  fs::path parent = run_dir.parent_path();
  fs::path tmp = parent / ("latest.tmp." + run_dir.filename().string());
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_directory_symlink(run_dir.filename(), tmp);
  if (std::rename(tmp.c_str(), (parent / "latest").c_str()) != 0) {  // atomic replace
    fs::remove(tmp, ec);
    throw std::runtime_error((parent / "latest").string() + ": cannot update the symlink");
  }
}

}  // namespace

nlohmann::json write_run_record(const fs::path& run_dir, const RunInfo& info, const ExecGraph& graph,
                                const std::vector<NodeRun>& runs, const std::vector<size_t>& members) {
  std::set<size_t> wanted(members.begin(), members.end());
  std::set<std::string> used_metrics, used_evals;
  nlohmann::json nodes = nlohmann::json::array();
  nlohmann::json record = {{"experiment", info.experiment}, {"file", info.file},       {"profile", info.profile},
                           {"device", info.device},         {"started", info.started}, {"finished", info.finished},
                           {"executor", info.executor}};
  bool all_ok = true, in_progress = false;
  for (size_t v : graph.topological_order()) {
    if (!wanted.count(v)) continue;
    const PlanNode& node = graph.node(v);
    const NodeRun& run = runs[v];
    nlohmann::json j = {{"id", node.id},     {"kind", node.kind},         {"op", node.op},
                        {"label", node.label}, {"key", node.key},         {"status", to_string(run.status)},
                        {"seconds", run.seconds}};
    bool ok = run.status == NodeStatus::executed || run.status == NodeStatus::reused;
    if (!ok) all_ok = false;
    if (run.status == NodeStatus::pending || run.status == NodeStatus::running) in_progress = true;
    if (!run.error.empty()) j["error"] = run.error;
    if (!run.job.is_null()) j["job"] = run.job;
    if (ok) {
      j["object"] = run.dir.string();
      j["outputs"] = run.outputs;
      if (node.kind == "train") {
        fs::path src = run.dir / layout::kMetrics;
        if (fs::exists(src)) {
          fs::create_directories(run_dir / "metrics");
          fs::path dst = unique_in(run_dir / "metrics", node.id, ".jsonl", used_metrics);
          copy_into_run(src, dst);
          j["metrics"] = fs::relative(dst, run_dir).generic_string();
        }
        j["checkpoint"] = (run.dir / layout::kModel).string();
        if (run.status == NodeStatus::executed && run.outputs.contains("resumed_from_step"))
          j["resumed_from_step"] = run.outputs["resumed_from_step"];
      }
      if (node.kind == "eval" && run.outputs.contains("result")) {
        nlohmann::json result = run.outputs["result"];
        if (result.contains("samples") && result["samples"].is_string())
          result["samples"] = (run.dir / result["samples"].get<std::string>()).string();
        j["result"] = result;
        fs::create_directories(run_dir / "evals");
        fs::path dst = unique_in(run_dir / "evals", node.id, ".json", used_evals);
        rt::write_file_atomic(dst, result.dump(2) + "\n");
      }
      if (node.kind == "report") {
        fs::create_directories(run_dir / "report");
        for (const auto& entry : fs::directory_iterator(run.dir))
          if (entry.is_regular_file() && entry.path().filename() != "manifest.json")
            copy_into_run(entry.path(), run_dir / "report" / entry.path().filename());
        record["table"] = "report/table.md";
      }
    }
    nodes.push_back(std::move(j));
  }
  if (!info.results.is_null()) record["results"] = info.results;
  record["claims"] = info.claims;
  record["status"] = in_progress ? "running" : all_ok ? "ok" : "failed";
  record["nodes"] = std::move(nodes);
  // A failed node's error may quote bytes that are not UTF-8 (a message from a library): they
  // are replaced rather than losing the whole record of the run.
  rt::write_file_atomic(run_dir / "run.json",
                        record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  point_latest(run_dir);
  return record;
}

}  // namespace sftx::exec
