// `seeds = [...]`: one run of each plan instance per seed, shared stages still shared per seed,
// and experiments without seeds unchanged. Claims land, normalised, in the report node.
#include <catch2/catch.hpp>

#include "interpreter/front/plan_build.h"
#include "interpreter/front/plan_print.h"
#include "interpreter/front/plan_test_support.h"

using sftx::testing::TempDir;
using sftx::testing::count_kind;

namespace {

std::string sweep(const std::string& extra) {
  return R"(
math    = synthetic("math", n = 100, seed = 1)
general = synthetic("general", n = 100, seed = 3)
plan general_only { stage1 = general }
plan dmt(k) {
  stage1 = math
  stage2 = mix(general, k * stage1.data)
}
experiment k_sweep {
  base  = model("llama", preset = "nano")
  plans = [general_only, dmt(1/4), dmt(1/256)]
  eval  = [gsm8k(gsm8k_test), ifeval(ifeval_test)]
)" + extra + "\n}\n";
}

sftx::PlanGraph build(const TempDir& dir, const std::string& text) {
  return sftx::testing::build_graph(dir, "x.sftx", text);
}

}  // namespace

TEST_CASE("seeds: every stage trains once per seed, shared stages stay shared per seed", "[plan_build][seeds]") {
  TempDir dir;
  auto g = build(dir, sweep("  seeds = [1, 2, 3]"));
  // general_only.stage1, one stage1 shared by both dmt(k), and one stage2 per k: 4 per seed.
  CHECK(count_kind(g, "train") == 12);
  CHECK(count_kind(g, "eval") == 3 * 3 * 2);
  const auto* s1 = g.find("dmt(1/4)[seed=2].stage1");
  REQUIRE(s1);
  CHECK(s1->params["hyper"]["seed"] == 2);
  CHECK(s1->provenance["seed"] == "seeds");
  CHECK(g.find("dmt(1/256)[seed=2].stage1") == nullptr);  // the same node as dmt(1/4)'s
  const auto* s2 = g.find("dmt(1/256)[seed=3].stage2");
  REQUIRE(s2);
  CHECK(s2->inputs.at(1) == "dmt(1/4)[seed=3].stage1");
  CHECK(s2->params["hyper"]["seed"] == 3);
  REQUIRE(g.experiments.size() == 1);
  const auto& x = g.experiments[0];
  CHECK(x.seeds == std::vector<long long>{1, 2, 3});
  CHECK(x.plans.size() == 9);
  CHECK(x.plans[1] == "general_only[seed=2]");
  const auto* report = g.find(x.report);
  REQUIRE(report);
  CHECK(report->params["seeds"] == nlohmann::json({1, 2, 3}));
  REQUIRE(report->params["rows"].size() == 9);
  CHECK(report->params["rows"][4]["plan"] == "dmt(1/4)");
  CHECK(report->params["rows"][4]["seed"] == 2);
  std::string text = sftx::plan_text(g, {});
  CHECK(text.find("dmt(1/256)[seed=2]") != std::string::npos);
}

TEST_CASE("seeds: without seeds the graph and its keys are as before", "[plan_build][seeds]") {
  TempDir dir;
  auto plain = build(dir, sweep(""));
  CHECK(count_kind(plain, "train") == 4);
  const auto* s1 = plain.find("dmt(1/4).stage1");
  REQUIRE(s1);
  CHECK(s1->params["hyper"]["seed"] == 42);
  CHECK_FALSE(plain.find(plain.experiments[0].report)->params.contains("seeds"));
  // The same stage under seeds = [42] is the same training (same key), under another name.
  TempDir dir2;
  auto seeded = build(dir2, sweep("  seeds = [42]"));
  const auto* s1_seeded = seeded.find("dmt(1/4)[seed=42].stage1");
  REQUIRE(s1_seeded);
  CHECK(s1_seeded->key == s1->key);
}

TEST_CASE("claims: normalised into the report node's params", "[plan_build][claims]") {
  TempDir dir;
  auto g = build(dir, sweep(R"(  seeds = [1, 2]
  expect "dmt keeps general" { dmt(1/256).ifeval.prompt_strict > general_only.ifeval.prompt_strict - 0.05 }
  expect "k trades" { dmt(1/4).gsm8k.accuracy > dmt(1/256).gsm8k.accuracy
                      and dmt(1/4).ifeval.prompt_strict <= 2 * dmt(1/256).ifeval.prompt_strict })"));
  const auto* report = g.find(g.experiments[0].report);
  REQUIRE(report);
  const auto& claims = report->params["claims"];
  REQUIRE(claims.size() == 2);
  CHECK(claims[0]["name"] == "dmt keeps general");
  const auto& c0 = claims[0]["comparisons"][0];
  CHECK(c0["text"] == "dmt(1/256).ifeval.prompt_strict > general_only.ifeval.prompt_strict - 0.05");
  CHECK(c0["larger"] == nlohmann::json::array({{{"plan", "dmt(1/256)"},
                                                {"metric", "ifeval"},
                                                {"field", "prompt_strict"},
                                                {"column", "ifeval.prompt_strict"},
                                                {"coefficient", 1.0}}}));
  REQUIRE(c0["smaller"].size() == 2);
  CHECK(c0["smaller"][1] == nlohmann::json({{"coefficient", -0.05}}));
  const auto& c1 = claims[1]["comparisons"];
  REQUIRE(c1.size() == 2);
  CHECK(c1[1]["op"] == "<=");
  CHECK(c1[1]["larger"][0]["coefficient"] == 2.0);
  CHECK(c1[1]["smaller"][0]["plan"] == "dmt(1/4)");
}
