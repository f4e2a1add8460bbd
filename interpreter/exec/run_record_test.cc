#include "interpreter/exec/run_record.h"

#include <catch2/catch.hpp>

#include "interpreter/exec/object_layout.h"
#include "interpreter/exec/test_support.h"

using namespace sftx;
using namespace sftx::exec;
using sftx::exec::testing::make_node;
using sftx::exec::testing::read_file;
using sftx::exec::testing::TempDir;
using sftx::exec::testing::write_file;
namespace fs = std::filesystem;

TEST_CASE("file-safe names keep ids readable", "[exec][record]") {
  CHECK(file_safe_name("dmt(1/4).stage2") == "dmt(1_4).stage2");
  CHECK(file_safe_name("../x") == "_.._x");
  CHECK(file_safe_name("gsm8k(t) @ dmt(1)") == "gsm8k(t)_@_dmt(1)");
}

TEST_CASE("run.json lists each node with its status, metrics, results and the table are copied", "[exec][record]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  PlanGraph p;
  p.nodes.push_back(make_node("d", "data", "synthetic", {}, p));
  p.nodes.push_back(make_node("dmt(1/4).stage1", "train", "train", {"d"}, p));
  p.nodes.push_back(make_node("gsm8k(t) @ dmt(1/4)", "eval", "gsm8k", {"dmt(1/4).stage1", "d"}, p));
  p.nodes.push_back(make_node("report(x)", "report", "table", {"gsm8k(t) @ dmt(1/4)"}, p));
  p.nodes.push_back(make_node("unrelated", "data", "synthetic", {}, p));
  ExecGraph g(p);
  NodeFn fn = [](const NodeJob& job) -> nlohmann::json {
    if (job.node.kind == "train") {
      write_file(job.out_dir / layout::kMetrics, "{\"step\":1,\"loss\":2.5}\n");
      return {{"steps", 1}, {"resumed_from_step", 0}};
    }
    if (job.node.kind == "eval") {
      write_file(job.out_dir / layout::kSamples / "s.jsonl", "{}\n");
      return {{"result", {{"scores", {{"accuracy", 0.5}}}, {"samples", "samples/s.jsonl"}}}};
    }
    if (job.node.kind == "report") write_file(job.out_dir / layout::kTable, "| plan |\n");
    else write_file(job.out_dir / layout::kData, "{}\n");
    return nlohmann::json::object();
  };
  auto runs = Executor(g, store, fn, {}).run();
  std::vector<size_t> members = {g.index_of("report(x)"), g.index_of("gsm8k(t) @ dmt(1/4)"),
                                 g.index_of("dmt(1/4).stage1"), g.index_of("d")};
  fs::path dir = make_run_dir(tmp.path() / "runs", "x");
  RunInfo info;
  info.experiment = "x";
  info.file = "f.sftx";
  info.profile = "smoke";
  info.device = "cpu";
  info.started = "t0";
  info.finished = "t1";
  nlohmann::json rec = write_run_record(dir, info, g, runs, members);

  CHECK(rec == nlohmann::json::parse(read_file(dir / "run.json")));
  CHECK(rec["experiment"] == "x");
  CHECK(rec["status"] == "ok");
  REQUIRE(rec["nodes"].size() == 4);  // "unrelated" is not part of the experiment
  CHECK(rec["nodes"][0]["id"] == "d");
  CHECK(rec["nodes"][0]["status"] == "executed");
  const auto& train = rec["nodes"][1];
  CHECK(train["metrics"] == "metrics/dmt(1_4).stage1.jsonl");
  CHECK(read_file(dir / train["metrics"].get<std::string>()) == "{\"step\":1,\"loss\":2.5}\n");
  CHECK(train["resumed_from_step"] == 0);
  const auto& eval = rec["nodes"][2];
  CHECK(eval["result"]["scores"]["accuracy"] == 0.5);
  CHECK(fs::exists(eval["result"]["samples"].get<std::string>()));
  CHECK(fs::exists(dir / "evals" / "gsm8k(t)_@_dmt(1_4).json"));
  CHECK(read_file(dir / "report" / "table.md") == "| plan |\n");
  CHECK(fs::read_symlink(tmp.path() / "runs" / "x" / "latest") == dir.filename());

  // A second run in the same second gets its own directory; latest moves to it.
  fs::path dir2 = make_run_dir(tmp.path() / "runs", "x");
  CHECK(dir2 != dir);
  auto runs2 = Executor(g, store, fn, {}).run();
  nlohmann::json rec2 = write_run_record(dir2, info, g, runs2, members);
  for (const auto& n : rec2["nodes"]) CHECK(n["status"] == "reused");
  CHECK_FALSE(rec2["nodes"][1].contains("resumed_from_step"));
  CHECK(fs::read_symlink(tmp.path() / "runs" / "x" / "latest") == dir2.filename());
}
