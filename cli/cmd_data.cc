// sftx data FILE EXPR [-o OUT.jsonl] [--stats] [--profile P] [--cache DIR] — materialise a
// data expression (contract §8).
//
// EXPR is evaluated in the scope of FILE by the front end: a small wrapper program imports
// FILE (`use`) and names EXPR as a stage's data (nothing is trained), so the plan graph holds
// EXPR's data nodes with their canonical keys (data_expr_program.h; its diagnostics are moved
// onto EXPR: `<expr>:1:COL`). Only those data nodes run, through
// the executor and its node runner, so they land in (and are reused from) the same cache as
// `sftx run`. (A front-end entry point that evaluates one expression into data nodes would
// make the wrapper unnecessary.)
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include <fmt/core.h>
#include <unistd.h>

#include "commands.h"
#include "cli/data_expr_program.h"
#include "interpreter/exec/cache_store.h"
#include "interpreter/exec/executor.h"
#include "interpreter/exec/graph.h"
#include "interpreter/exec/node_runner.h"
#include "interpreter/exec/object_layout.h"
#include "interpreter/front/check.h"
#include "interpreter/front/plan_build.h"
#include "interpreter/front/plan_graph.h"
#include "runtime/api.h"
#include "runtime/data/data_error.h"
#include "runtime/data/data_summary.h"
#include "runtime/data/record_io.h"

namespace sftx::cli {

namespace fs = std::filesystem;

namespace {

struct DataStep {
  const PlanNode* node;
  rt::DataStats stats;
};

rt::DataStats stats_from(const nlohmann::json& outputs) {
  rt::DataStats s;
  s.records = outputs.value("records", int64_t{0});
  s.removed = outputs.value("removed", int64_t{0});
  s.skipped = outputs.value("skipped", int64_t{0});
  if (outputs.contains("details")) s.details = outputs["details"];
  return s;
}

void print_stats(std::FILE* to, const fs::path& records, const std::vector<DataStep>& steps) {
  rt::DataSummary s = rt::summarize_records(records.string());
  fmt::print(to, "records: {}\n", s.records);
  fmt::print(to, "tokens (approximate: whitespace-separated words, no tokenizer): {}\n", s.words);
  fmt::print(to, "characters: {} (per record p50 {}, p90 {}, p99 {})\n", s.chars, s.chars_p50, s.chars_p90, s.chars_p99);
  fmt::print(to, "by source:\n");
  for (const auto& [source, n] : s.by_source)
    fmt::print(to, "  {:>8}  {:5.1f}%  {}\n", n, s.records ? 100.0 * n / s.records : 0.0, source);
  fmt::print(to, "steps:\n");
  for (const auto& st : steps) {
    std::string what = fmt::format("{:>8} records", st.stats.records);
    if (st.stats.removed) what += fmt::format(", {} removed", st.stats.removed);
    if (st.stats.skipped) what += fmt::format(", {} malformed lines skipped", st.stats.skipped);
    fmt::print(to, "  {}  {}\n", what, st.node->label.empty() ? st.node->id : st.node->label);
    if (st.stats.details.contains("removed_by"))
      for (const auto& [why, k] : st.stats.details["removed_by"].items())
        fmt::print(to, "             {} removed: {}\n", k.get<int64_t>(), why);
  }
}

// What `out` would overwrite that must not be: FILE, or a file one of EXPR's sources reads
// (writing records over their own input destroys it before it is read). Empty when none.
std::string output_clash(const std::string& out, const fs::path& file, const std::set<size_t>& needed,
                         const exec::ExecGraph& eg) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return "";
  if (fs::equivalent(out, file, ec)) return "the program file " + file.string();
  for (size_t i : needed) {
    const PlanNode& n = eg.node(i);
    if (n.op != "source" || !n.params.contains("path") || !n.params["path"].is_string()) continue;
    const std::string input = n.params["path"].get<std::string>();
    if (fs::equivalent(out, input, ec)) return "an input of the expression (" + input + ")";
  }
  return "";
}

// Copies the records to `out`: a regular file is written to a temporary and renamed only
// when every byte is on disk (RecordWriter), so a full disk leaves no partial file; a device
// (/dev/null, /dev/full) is written directly. Every write and the close are checked. Returns
// "" or why it failed.
std::string write_output(const fs::path& records, const std::string& out) {
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_regular_file(out, ec)) {
    if (fs::is_directory(out, ec)) return "it is a directory";
    std::ofstream dev(out, std::ios::binary);
    if (!dev) return std::strerror(errno);
    std::ifstream in(records, std::ios::binary);
    dev << in.rdbuf();
    dev.flush();
    if (!dev) return std::strerror(errno);
    dev.close();
    return dev ? "" : std::strerror(errno);
  }
  try {
    rt::RecordWriter writer(out);
    rt::LineReader reader(records.string());
    std::string line;
    while (reader.next(line)) writer.write_line(line);
    writer.close();
  } catch (const std::exception& e) {
    // The exception holds the reason ("OUT: cannot write: No space left on device"); errno
    // here is whatever removing the temporary left (it said "Not a directory" for a full disk).
    std::string reason = e.what();
    const std::string prefix = out + ": cannot write: ";
    if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
    return reason + "; no partial file is left under that name";
  }
  return "";
}

int run_data_command(const std::string& file_arg, const std::string& expr, const std::string& out,
                     bool stats, const std::string& profile, const std::string& cache_arg) {
  if (!fs::exists(file_arg)) {
    fmt::print(stderr, "{}: error: no such file\n", file_arg);
    return 1;
  }
  // EXPR is evaluated in a program that imports FILE with `use`, which takes .sftx files only:
  // say so about FILE here, rather than show that program's `use` line and the unknown names
  // that follow from it.
  if (fs::path(file_arg).extension() != ".sftx") {
    fmt::print(stderr,
               "{}: error: sftx data reads the definitions of a .sftx file, and this is not one\n"
               "help: name the data in a .sftx file, e.g. `d = jsonl(\"records.jsonl\", format = \"alpaca\")`, "
               "then run `sftx data FILE.sftx d`\n",
               file_arg);
    return 1;
  }
  fs::path file = fs::absolute(file_arg).lexically_normal();
  Diagnostics diags;
  CheckOptions options;
  options.profile = profile;
  auto checked = check_text(kExprPath, data_expr_program(file, expr), file.parent_path(), diags, options);
  std::optional<PlanGraph> graph;
  if (checked) graph = build_plan_graph(*checked, kDataExperiment, diags);
  if (!checked || !graph || diags.has_errors()) {
    fmt::print(stderr, "{}", diagnostics_on_expr(diags, expr, file, file_arg).render(isatty(fileno(stderr)) != 0));
    return 1;
  }
  // EXPR's node: the data of the wrapper plan's only stage (train <- pack <- data).
  const PlanNode* train = graph->experiments.empty() || graph->experiments[0].finals.empty()
                              ? nullptr
                              : graph->find(graph->experiments[0].finals[0]);
  const PlanNode* pack = train && !train->inputs.empty() ? graph->find(train->inputs[0]) : nullptr;
  const PlanNode* target = pack && !pack->inputs.empty() ? graph->find(pack->inputs[0]) : nullptr;
  if (!target || target->kind != "data") {
    fmt::print(stderr, "sftx data: internal error: the plan graph has no data node for '{}'\n", expr);
    return 3;
  }

  exec::ExecGraph eg(*graph);
  size_t target_index = eg.index_of(target->id);
  fs::path cache_dir = cache_arg.empty() ? checked->config.cache_dir : fs::path(cache_arg);
  exec::CacheStore store(cache_dir);
  exec::NodeFn fn = exec::make_node_runner({});
  std::set<size_t> needed = eg.ancestors_of(target_index);
  needed.insert(target_index);
  const bool to_stdout = out.empty() || out == "-";
  if (!to_stdout)
    if (std::string clash = output_clash(out, file, needed, eg); !clash.empty()) {
      fmt::print(stderr, "sftx data: refusing to write {}: it is {} (choose another -o)\n", out, clash);
      return 1;
    }
  exec::Executor executor(eg, store, fn, exec::ExecOptions{});
  std::vector<exec::NodeRun> runs = executor.run({target_index});

  std::vector<DataStep> steps;
  int status = 0;
  for (size_t i : eg.topological_order()) {
    if (!needed.count(i)) continue;
    const exec::NodeRun& run = runs[i];
    if (run.status == exec::NodeStatus::failed) {
      fmt::print(stderr, "{}\n", run.error);
      status = std::max(status, run.input_error ? 1 : 3);  // the user's data (exit 1), or not
    }
    if (run.status == exec::NodeStatus::executed || run.status == exec::NodeStatus::reused)
      steps.push_back({&eg.node(i), stats_from(run.outputs)});
  }
  if (status) return status;

  fs::path records = runs[target_index].dir / exec::layout::kData;
  if (to_stdout) {
    std::ifstream in(records, std::ios::binary);
    std::cout << in.rdbuf();
    std::cout.flush();
    if (!std::cout) {  // a closed pipe, a full disk behind a redirect
      fmt::print(stderr, "sftx data: cannot write the records to standard output: {}\n", std::strerror(errno));
      return 3;
    }
  } else {
    if (std::string failure = write_output(records, out); !failure.empty()) {
      fmt::print(stderr, "sftx data: cannot write {}: {}\n", out, failure);
      return 3;
    }
  }
  if (stats) print_stats(to_stdout ? stderr : stdout, records, steps);
  return 0;
}

}  // namespace

void add_data_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("data", "materialise a data expression as JSONL records");
  auto file = std::make_shared<std::string>();
  auto expr = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto profile = std::make_shared<std::string>();
  auto stats = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "the .sftx file whose definitions EXPR uses")->required();
  cmd->add_option("EXPR", *expr, "a data name or expression, e.g. general or \"1/4 * general\"")->required();
  cmd->add_option("-o,--output", *out, "write the records here instead of to standard output");
  cmd->add_flag("--stats", *stats,
                "print records, tokens, length percentiles, sources and what each step removed\n"
                "(to standard error when the records go to standard output)");
  cmd->add_option("--profile", *profile, "a profile of sftx.toml (e.g. its source sizes)");
  auto cache = std::make_shared<std::string>();
  cmd->add_option("--cache", *cache, "the cache directory (default: sftx.toml's, else beside FILE)");
  cmd->footer(
      "Examples:\n"
      "  sftx data experiments/table1.sftx general --stats\n"
      "  sftx data experiments/table1.sftx \"1/256 * mix(math, code)\" -o small.jsonl\n"
      "Records are {\"messages\": [{\"role\", \"content\"}, ...], \"source\", \"origin\", \"meta\"}.\n"
      "-o is written to a temporary file and renamed when complete; it may not name FILE or an input.\n"
      "Exit status: 1 for an error in FILE, EXPR or the data (malformed lines name PATH:LINE),\n"
      "3 when the output cannot be written (a full disk, /dev/full).");
  cmd->callback([=, &exit_code] {
    try {
      exit_code = run_data_command(*file, *expr, *out, *stats, *profile, *cache);
    } catch (const rt::DataError& e) {
      fmt::print(stderr, "{}\n", e.what());
      exit_code = 1;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx data: {}\n", e.what());
      exit_code = 3;
    }
  });
}

}  // namespace sftx::cli
