// plan.json: the plan graph a Slurm run froze reads back as the same graph.
#include "interpreter/exec/plan_json.h"

#include <catch2/catch.hpp>

#include "interpreter/exec/graph.h"
#include "interpreter/exec/slurm_client.h"
#include "interpreter/exec/test_support.h"

using namespace sftx;
using namespace sftx::exec;

TEST_CASE("plan json: a plan graph survives the round trip", "[exec][slurm]") {
  PlanGraph g;
  g.nodes.push_back(exec::testing::make_node("math", "data", "synthetic", {}, g));
  g.nodes.push_back(exec::testing::make_node("dmt(1/4).stage1", "train", "train", {"math"}, g));
  g.nodes[1].params = {{"hyper", {{"lr", "1/1000"}}}};
  g.nodes[1].provenance = {{"lr", "profile:tiny"}};
  g.nodes[1].used_by = {"dmt(1/4)"};
  g.nodes[1].origin = {"sweep.sftx", 7, 3};
  PlanExperiment x;
  x.name = "sweep";
  x.plans = {"dmt(1/4)"};
  x.finals = {"dmt(1/4).stage1"};
  x.stages = {{"dmt(1/4).stage1"}};
  x.seeds = {1, 2};
  x.claims = nlohmann::json::array({{{"text", "holds"}}});
  g.experiments.push_back(x);

  PlanGraph back = plan_from_json(nlohmann::json::parse(plan_to_json(g).dump()));
  REQUIRE(back.nodes.size() == 2);
  CHECK(back.nodes[1].id == "dmt(1/4).stage1");
  CHECK(back.nodes[1].key == g.nodes[1].key);
  CHECK(back.nodes[1].inputs == std::vector<std::string>{"math"});
  CHECK(back.nodes[1].params == g.nodes[1].params);
  CHECK(back.nodes[1].provenance == g.nodes[1].provenance);
  CHECK(back.nodes[1].description == g.nodes[1].description);
  CHECK(back.nodes[1].origin.line == 7);
  REQUIRE(back.experiments.size() == 1);
  CHECK(back.experiments[0].seeds == std::vector<long long>{1, 2});
  CHECK(back.experiments[0].claims == x.claims);
  CHECK(plan_to_json(back) == plan_to_json(g));
  ExecGraph graph(back);  // still a valid graph
  CHECK(graph.inputs_of(graph.index_of("dmt(1/4).stage1")).size() == 1);

  CHECK_THROWS_WITH(plan_from_json({{"nodes", {{{"id", "x"}}}}}), Catch::Contains("malformed plan"));
}

TEST_CASE("slurm: an unknown partition names the known ones and the nearest", "[exec][slurm]") {
  CHECK(unknown_partition_problem("", {"debug"}).empty());
  CHECK(unknown_partition_problem("gpu", {"debug", "gpu"}).empty());
  CHECK(unknown_partition_problem("gpuu", {"debug", "gpu"}) ==
        "Slurm has no partition 'gpuu' (partitions: debug, gpu); did you mean 'gpu'?");
  CHECK(unknown_partition_problem("x", {}) == "Slurm has no partition 'x' (partitions: none)");
  CHECK(slurm_state_is_final("COMPLETED"));
  CHECK(slurm_state_is_final("CANCELLED"));
  CHECK_FALSE(slurm_state_is_final("PENDING"));
  CHECK_FALSE(slurm_state_is_final("COMPLETING"));
}
