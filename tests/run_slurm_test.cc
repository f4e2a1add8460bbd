// `sftx run --executor slurm` end to end on a real Slurm cluster (scripts/slurm/start.sh):
// a small DMT sweep runs as one job per node, its training stages on 2 ranks (`--nproc 2`: a
// 2-task job training through `srun --ntasks 2`), and gives the same keys, statuses and
// results (within tolerance) as the local executor on 1 rank; a local run afterwards reuses
// every node the jobs built; a failing job skips its dependents; --detach, `sftx status` and
// `sftx cancel`; an unknown partition and more ranks than the partition has CPUs are refused
// before anything is submitted.
//
// Tagged [slurm]: CTest runs these through scripts/slurm/run_test.sh, which finds or starts a
// cluster and exits 77 (SKIPPED) when none can be had. Without Slurm on PATH only the last
// test case (which needs none) is meaningful; the others fail, so they are not run then.
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/base/jsonl.h"

#include "tests/run_test_support.h"

using namespace sftx::e2e;
namespace fs = std::filesystem;

namespace {

// Two values of k: one shared stage 1, two stage 2s, two evaluations, a report.
const char* kSweep = R"(math    = synthetic("math", n = 160, seed = 1)
general = synthetic("general", n = 160, seed = 2)
tok     = sentencepiece(mix(math, general), vocab = 512)
base    = model("llama", preset = "nano", tokenizer = tok)

plan dmt(k) {
  stage1 = math
  stage2 = mix(general, k * stage1.data)
}

experiment sweep {
  base  = base
  plans = [dmt(k) for k in [1, 1/4]]
  eval  = [gsm8k(synthetic("gsm8k_test", n = 4, seed = 7), max_new_tokens = 8)]
}
)";

void add_executor_section(const RunProject& p, const std::string& extra = "") {
  std::ifstream in(p.dir() / "sftx.toml");
  std::stringstream text;
  text << in.rdbuf();
  p.write("sftx.toml", text.str() + "\n[executor]\npoll_seconds = 0.5\n" + extra);
}

std::map<std::string, nlohmann::json> by_id(const nlohmann::json& run) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& n : run.at("nodes")) out[n.at("id").get<std::string>()] = n;
  return out;
}

// Every numeric leaf of two JSON values agrees within `tol`; everything else is equal.
void check_close(const nlohmann::json& a, const nlohmann::json& b, double tol, const std::string& where) {
  INFO(where);
  if (a.is_number() && b.is_number()) {
    CHECK(std::abs(a.get<double>() - b.get<double>()) <= tol * std::max(1.0, std::abs(b.get<double>())));
  } else if (a.is_object() && b.is_object()) {
    CHECK(a.size() == b.size());
    for (auto it = a.begin(); it != a.end(); ++it)
      if (b.contains(it.key())) check_close(it.value(), b[it.key()], tol, where + "." + it.key());
  } else if (a.is_array() && b.is_array()) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) check_close(a[i], b[i], tol, where + "[" + std::to_string(i) + "]");
  } else {
    CHECK(a == b);
  }
}

}  // namespace

TEST_CASE("slurm: a DMT sweep as Slurm jobs, training on 2 ranks, matches the local executor on 1 rank, and a "
          "local run reuses it all",
          "[run][e2e][slurm]") {
  RunProject slurm;
  add_executor_section(slurm);
  slurm.write("sweep.sftx", kSweep);
  // Each training stage's job has 2 tasks and trains through `srun --ntasks 2` (the slurm
  // launcher); the other nodes' jobs have one task.
  CommandResult submitted = slurm.sftx("run sweep.sftx --profile tiny --executor slurm --nproc 2");
  INFO(submitted.err);
  REQUIRE(submitted.rc == 0);
  nlohmann::json on_slurm = slurm.latest_run("sweep");
  CHECK(on_slurm["executor"] == "slurm");
  CHECK(on_slurm["status"] == "ok");
  fs::path run_dir = fs::canonical(slurm.dir() / "runs" / "sweep" / "latest");
  std::set<std::string> job_ids;
  for (const auto& n : on_slurm["nodes"]) {
    INFO(n["id"]);
    CHECK(n["status"] == "executed");
    REQUIRE(n.contains("job"));
    CHECK(n["job"]["state"] == "COMPLETED");
    job_ids.insert(n["job"]["id"].get<std::string>());
    fs::path log = n["job"]["log"].get<std::string>();
    CHECK(log.parent_path() == run_dir / "jobs");  // each job's log in the run directory
    CHECK(fs::file_size(log) > 0);
  }
  CHECK(job_ids.size() == on_slurm["nodes"].size());  // one job per node
  CHECK(nodes_of(on_slurm, "train").size() == 3);
  // What the jobs were asked for (slurm.json) and what trained: the worker's own metrics lines
  // say how many ranks joined the all-reduce.
  nlohmann::json state = nlohmann::json::parse(sftx::testing::read_file(run_dir / "slurm.json"));
  std::map<std::string, int> ntasks;
  for (const auto& n : state["nodes"]) ntasks[n["id"].get<std::string>()] = n["ntasks"].get<int>();
  for (const auto& n : on_slurm["nodes"]) {
    INFO(n["id"]);
    const bool train = n["kind"] == "train";
    CHECK(ntasks[n["id"].get<std::string>()] == (train ? 2 : 1));
    if (!train) continue;
    CHECK(n["outputs"]["world_size"] == 2);
    auto lines = sftx::rt::read_jsonl_objects((run_dir / n["metrics"].get<std::string>()).string());
    REQUIRE_FALSE(lines.empty());
    for (const auto& l : lines) CHECK(l.value.value("world_size", 0) == 2);
  }
  CHECK(submitted.out.find("gsm8k.accuracy") != std::string::npos);  // the table, as locally

  // The same file on the local executor on 1 rank, in a project of its own: the same keys (the
  // world size is not in them), statuses and, to float rounding, results.
  RunProject local;
  local.write("sweep.sftx", kSweep);
  CommandResult here = local.sftx("run sweep.sftx --profile tiny");
  INFO(here.err);
  REQUIRE(here.rc == 0);
  nlohmann::json on_local = local.latest_run("sweep");
  auto s = by_id(on_slurm), l = by_id(on_local);
  REQUIRE(s.size() == l.size());
  for (const auto& [id, node] : l) {
    INFO(id);
    REQUIRE(s.count(id) == 1);
    CHECK(s[id]["key"] == node["key"]);
    CHECK(s[id]["status"] == node["status"]);
    if (node["kind"] == "train")
      check_close(s[id]["outputs"]["final_loss"], node["outputs"]["final_loss"], 1e-4, id + " final_loss");
    if (node["kind"] == "eval") check_close(s[id]["result"]["scores"], node["result"]["scores"], 1e-4, id + " scores");
  }
  check_close(on_slurm["results"], on_local["results"], 1e-4, "results");

  // Locally, on the cache the jobs filled: nothing to do.
  CommandResult again = slurm.sftx("run sweep.sftx --profile tiny");
  INFO(again.err);
  REQUIRE(again.rc == 0);
  nlohmann::json reused = slurm.latest_run("sweep");
  CHECK(reused["executor"] == "local");
  CHECK(count_status(reused, "reused") == reused["nodes"].size());

  // And on Slurm again: no job at all.
  CommandResult none = slurm.sftx("run sweep.sftx --profile tiny --executor slurm");
  REQUIRE(none.rc == 0);
  CHECK(none.err.find("submitted 0 Slurm job(s)") != std::string::npos);
  CHECK(count_status(slurm.latest_run("sweep"), "reused") == reused["nodes"].size());
}

TEST_CASE("slurm: a failing job fails its node and skips its dependents, the rest still runs", "[run][e2e][slurm]") {
  RunProject p;
  add_executor_section(p);
  p.write("broken.jsonl",
          "{\"instruction\": \"Say hi.\", \"input\": \"\", \"output\": \"Hi.\"}\n"
          "{\"instruction\": \"Say bye.\", \"input\": \"\"\n");
  p.write("broken.sftx",
          "chat = jsonl(\"broken.jsonl\", format = \"alpaca\")\n"
          "good = synthetic(\"math\", n = 160, seed = 1)\n"
          "general = synthetic(\"general\", n = 160, seed = 2)\n"
          "plan once { stage1 = chat }\n"
          "experiment broken {\n"
          "  base  = model(\"llama\", preset = \"nano\", tokenizer = sentencepiece(mix(good, general), vocab = 512))\n"
          "  plans = [once]\n"
          "  eval  = [perplexity(good)]\n"
          "}\n");
  CommandResult r = p.sftx("run broken.sftx --profile tiny --executor slurm");
  INFO(r.err);
  CHECK(r.rc == 1);  // only the input's fault, as locally
  nlohmann::json run = p.latest_run("broken");
  CHECK(run["status"] == "failed");
  auto failed = nodes_of(run, "data", "failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["error"].get<std::string>().find("broken.jsonl:2") != std::string::npos);
  CHECK(failed[0]["job"]["state"] == "FAILED");
  // The synthetic sources, their mix and the tokenizer do not need the broken file: their jobs ran.
  CHECK(nodes_of(run, "data", "executed").size() >= 4);
  // Training, evaluation and the report depend on it: skipped, their jobs never started.
  for (const char* kind : {"train", "eval", "report"}) {
    INFO(kind);
    CHECK_FALSE(nodes_of(run, kind).empty());
    CHECK(nodes_of(run, kind, "skipped").size() == nodes_of(run, kind).size());
  }
}

TEST_CASE("slurm: --detach returns after submission, status follows the jobs, cancel stops them",
          "[run][e2e][slurm]") {
  RunProject p;
  // The jobs may not start for ten minutes: what status and cancel see does not race them.
  add_executor_section(p, "sbatch_args = [\"--begin=now+600\"]\n");
  p.write("sweep.sftx", kSweep);
  CommandResult detached = p.sftx("run sweep.sftx --profile tiny --executor slurm --detach");
  INFO(detached.err);
  REQUIRE(detached.rc == 0);
  std::string dir = detached.out.substr(0, detached.out.find('\n'));
  REQUIRE(fs::exists(fs::path(dir) / "slurm.json"));
  CHECK(p.latest_run("sweep")["status"] == "running");

  CommandResult status = p.sftx("status " + dir);
  INFO(status.out);
  CHECK(status.rc == 0);
  CHECK(status.out.find("in progress") != std::string::npos);
  CHECK(status.out.find("dmt(1/4).stage2") != std::string::npos);
  CHECK(status.out.find("pending") != std::string::npos);

  CommandResult cancel = p.sftx("cancel " + dir);
  INFO(cancel.err);
  REQUIRE(cancel.rc == 0);
  nlohmann::json run = p.latest_run("sweep");
  CHECK(run["status"] == "failed");
  CHECK(count_status(run, "pending") == 0);
  CHECK(count_status(run, "running") == 0);
  // Cancelled jobs fail their nodes (the sources, which wait on nothing); the rest is skipped.
  for (const auto& n : run["nodes"]) {
    INFO(n["id"]);
    if (n["kind"] == "data" && n["op"] == "synthetic") {
      CHECK(n["status"] == "failed");
      CHECK(n["job"]["state"] == "CANCELLED");
    } else {
      CHECK(n["status"] == "skipped");
    }
  }

  CommandResult after = p.sftx("status " + dir);
  CHECK(after.rc == 3);
  CHECK(after.out.find("finished") != std::string::npos);
}

TEST_CASE("slurm: an unknown partition is refused with its sftx.toml line before anything is submitted",
          "[run][e2e][slurm]") {
  RunProject p;
  add_executor_section(p, "partition = \"debgu\"\n");
  p.write("sweep.sftx", kSweep);
  CommandResult r = p.sftx("run sweep.sftx --profile tiny --executor slurm");
  CHECK(r.rc == 2);
  CHECK(r.err.find("sftx.toml:") != std::string::npos);
  CHECK(r.err.find("Slurm has no partition 'debgu'") != std::string::npos);
  CHECK_FALSE(fs::exists(p.dir() / "runs" / "sweep"));
}

TEST_CASE("slurm: more ranks than the partition has CPUs are refused before anything is submitted",
          "[run][e2e][slurm]") {
  {
    RunProject p;
    add_executor_section(p);
    p.write("sweep.sftx", kSweep);
    CommandResult many = p.sftx("run sweep.sftx --profile tiny --executor slurm --nproc 4096");
    CHECK(many.rc == 2);
    CHECK_THAT(many.err, Catch::Contains("--nproc 4096: a training stage's job would need 4096 CPUs, one per "
                                         "rank, but the default partition has "));
    CHECK_THAT(many.err, Catch::Contains("nothing was submitted"));
    CHECK_FALSE(fs::exists(p.dir() / "runs" / "sweep"));
    CHECK_FALSE(fs::exists(p.cache() / "objects"));
  }
  // cpus_per_task counts: 2 ranks of more CPUs each than the partition has.
  RunProject p;
  add_executor_section(p, "cpus_per_task = 4096\n");
  p.write("sweep.sftx", kSweep);
  CommandResult wide = p.sftx("run sweep.sftx --profile tiny --executor slurm --nproc 2");
  CHECK(wide.rc == 2);
  CHECK_THAT(wide.err, Catch::Contains("2 tasks × 4096 CPUs (cpus_per_task) = 8192 CPUs"));
  CHECK_FALSE(fs::exists(p.dir() / "runs" / "sweep"));
}

TEST_CASE("slurm: without Slurm installed the run is refused before anything is written", "[run][e2e]") {
  RunProject p;
  p.write("sweep.sftx", kSweep);
  // PATH without Slurm's commands (sftx itself is called by its absolute path).
  CommandResult refused = p.sftx_env("PATH=/nonexistent", "run sweep.sftx --profile tiny --executor slurm");
  CHECK(refused.rc == 3);
  CHECK(refused.err.find("Slurm is not installed here: 'sbatch' is not on PATH") != std::string::npos);
  CHECK_FALSE(fs::exists(p.dir() / "runs"));
  CHECK(p.sftx("run sweep.sftx --profile tiny --detach").rc == 2);  // --detach is for Slurm
}
