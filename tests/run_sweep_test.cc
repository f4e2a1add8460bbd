// `sftx run` end to end with the real trainer: the DMT sweep shares its stage 1, a second run
// executes nothing, changing stage 2 reruns only what depends on it, and a second file reuses
// the shared stage.
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;
namespace fs = std::filesystem;

namespace {

std::set<std::string> ids(const std::vector<nlohmann::json>& nodes) {
  std::set<std::string> out;
  for (const auto& n : nodes) out.insert(n.at("id").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("run: the DMT sweep trains stage 1 once and reuses everything on a second run", "[run][e2e]") {
  RunProject p;
  p.write("sweep.sftx", dmt_sweep_source("1e-3"));

  CommandResult first = p.sftx("run sweep.sftx --profile tiny");
  INFO(first.err);
  REQUIRE(first.rc == 0);
  nlohmann::json run1 = p.latest_run("sweep");
  CHECK(run1["status"] == "ok");
  CHECK(run1["profile"] == "tiny");

  // One shared stage 1 and five stage 2s, each trained exactly once.
  auto trains = nodes_of(run1, "train");
  REQUIRE(trains.size() == 6);
  for (const auto& t : trains) CHECK(t["status"] == "executed");
  size_t stage1 = 0;
  for (const auto& t : trains) stage1 += t["id"].get<std::string>().find(".stage1") != std::string::npos;
  CHECK(stage1 == 1);
  CHECK(nodes_of(run1, "eval", "executed").size() == 5);

  // Per-stage metrics: JSONL copied into the run directory, one object per logged step.
  fs::path run_dir = p.dir() / "runs" / "sweep" / "latest";
  for (const auto& t : trains) {
    REQUIRE(t.contains("metrics"));
    std::ifstream in(run_dir / t["metrics"].get<std::string>());
    std::string line;
    REQUIRE(std::getline(in, line));
    auto j = nlohmann::json::parse(line);
    CHECK(j.contains("step"));
    CHECK(j.contains("loss"));
  }
  // The table: one row per plan instance, a column per score, printed at the end.
  CHECK(first.out.find("dmt(1/16)") != std::string::npos);
  CHECK(first.out.find("gsm8k.accuracy") != std::string::npos);
  // The reference answers' log-likelihood is a column too, and a score of each eval in run.json.
  CHECK(first.out.find("gsm8k.answer_nll") != std::string::npos);
  for (const auto& e : nodes_of(run1, "eval")) {
    CHECK(e["result"]["scores"]["answer_nll"].get<double>() > 0.0);
    CHECK(e["result"]["answer_tokens"].get<int64_t>() > 0);
  }
  CHECK(fs::exists(run_dir / "report" / "table.md"));

  // Steps in sequence, not SECTIONs: each SECTION would redo the first run's training.
  {  // a second identical run executes no node
    CommandResult second = p.sftx("run sweep.sftx --profile tiny");
    INFO(second.err);
    REQUIRE(second.rc == 0);
    nlohmann::json run2 = p.latest_run("sweep");
    CHECK(count_status(run2, "executed") == 0);
    CHECK(count_status(run2, "reused") == run2["nodes"].size());
    CHECK(run2["nodes"].size() == run1["nodes"].size());
    CHECK(second.out == first.out);  // the same table, from the cache
  }

  {  // a second file with the same stage 1 reuses it (before the lr change, which does not touch stage 1)
    p.write("other.sftx", R"(math    = synthetic("math", n = 160, seed = 1)
general = synthetic("general", n = 160, seed = 2)
tok     = sentencepiece(mix(math, general), vocab = 512)
base    = model("llama", preset = "nano", tokenizer = tok)
plan sequential { stage1 = math; stage2 = general }
experiment other {
  base  = base
  plans = [sequential]
  eval  = [gsm8k(synthetic("gsm8k_test", n = 4, seed = 7), max_new_tokens = 8)]
}
)");
    CommandResult other = p.sftx("run other.sftx --profile tiny");
    INFO(other.err);
    REQUIRE(other.rc == 0);
    nlohmann::json run = p.latest_run("other");
    auto reused = nodes_of(run, "train", "reused");
    REQUIRE(reused.size() == 1);
    std::string stage1_key;
    for (const auto& t : trains)
      if (t["id"].get<std::string>().find(".stage1") != std::string::npos) stage1_key = t["key"];
    CHECK(reused[0]["key"] == stage1_key);
    CHECK(nodes_of(run, "train", "executed").size() == 1);
  }

  {  // changing stage 2's lr reruns only the stage 2s and what depends on them
    p.write("sweep.sftx", dmt_sweep_source("5e-4"));
    CommandResult third = p.sftx("run sweep.sftx --profile tiny");
    INFO(third.err);
    REQUIRE(third.rc == 0);
    nlohmann::json run3 = p.latest_run("sweep");
    auto executed_trains = ids(nodes_of(run3, "train", "executed"));
    CHECK(executed_trains.size() == 5);
    for (const auto& id : executed_trains) CHECK(id.find(".stage2") != std::string::npos);
    CHECK(nodes_of(run3, "train", "reused").size() == 1);
    CHECK(nodes_of(run3, "data", "executed").empty());
    CHECK(nodes_of(run3, "eval", "executed").size() == 5);
    CHECK(nodes_of(run3, "report", "executed").size() == 1);
  }
}

TEST_CASE("run: --plan trains only the chosen plans, and the whole sweep then reuses them", "[run][e2e]") {
  RunProject p;
  p.write("sweep.sftx", dmt_sweep_source("1e-3"));

  CommandResult some = p.sftx("run --plan 'dmt(1/4)' sweep.sftx --profile tiny --plan 'dmt(1/16)'");
  INFO(some.err);
  REQUIRE(some.rc == 0);
  nlohmann::json run1 = p.latest_run("sweep");
  // The shared stage 1 is named after the first plan kept; its key is the whole sweep's.
  CHECK(ids(nodes_of(run1, "train")) ==
        std::set<std::string>{"dmt(1/4).stage1", "dmt(1/4).stage2", "dmt(1/16).stage2"});
  CHECK(nodes_of(run1, "eval").size() == 2);

  CommandResult all = p.sftx("run sweep.sftx --profile tiny");
  INFO(all.err);
  REQUIRE(all.rc == 0);
  nlohmann::json run2 = p.latest_run("sweep");
  CHECK(ids(nodes_of(run2, "train", "reused")) ==
        std::set<std::string>{"dmt(1).stage1", "dmt(1/4).stage2", "dmt(1/16).stage2"});
  CHECK(ids(nodes_of(run2, "train", "executed")) ==
        std::set<std::string>{"dmt(1).stage2", "dmt(1/2).stage2", "dmt(1/8).stage2"});
  CHECK(nodes_of(run2, "eval", "reused").size() == 2);

  CommandResult unknown = p.sftx("run sweep.sftx --profile tiny --plan 'dmt(1/3)'");
  CHECK(unknown.rc == 1);
  CHECK(unknown.err.find("no plan 'dmt(1/3)' in the file's experiments") != std::string::npos);
  CHECK(unknown.err.find("plans: dmt(1), dmt(1/2), dmt(1/4), dmt(1/8), dmt(1/16)") != std::string::npos);
}
