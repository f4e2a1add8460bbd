#include "interpreter/exec/graph.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "interpreter/exec/test_support.h"

using namespace sftx;
using namespace sftx::exec;
using sftx::exec::testing::make_node;

namespace {

// math, code -> mix -> pack -> stage1 -> stage2 ; general -> stage2's pack
PlanGraph dmt_like() {
  PlanGraph g;
  auto add = [&](const std::string& id, const std::string& kind, const std::string& op,
                 std::vector<std::string> in) { g.nodes.push_back(make_node(id, kind, op, in, g)); };
  add("general", "data", "synthetic", {});
  add("math", "data", "synthetic", {});
  add("code", "data", "synthetic", {});
  add("mix(math, code)", "data", "mix", {"math", "code"});
  add("tok", "data", "tokenizer", {"mix(math, code)"});
  add("pack1", "data", "pack", {"mix(math, code)", "tok"});
  add("stage1", "train", "train", {"pack1"});
  add("mix2", "data", "mix", {"general", "mix(math, code)"});
  add("pack2", "data", "pack", {"mix2", "tok"});
  add("stage2", "train", "train", {"pack2", "stage1"});
  return g;
}

}  // namespace

TEST_CASE("topological order puts every input before its users", "[exec][graph]") {
  PlanGraph plan = dmt_like();
  std::reverse(plan.nodes.begin(), plan.nodes.end());  // the executor must not rely on the order
  ExecGraph g(plan);
  REQUIRE(g.size() == plan.nodes.size());
  std::vector<size_t> position(g.size());
  const auto& order = g.topological_order();
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (size_t v = 0; v < g.size(); ++v)
    for (size_t in : g.inputs_of(v)) CHECK(position[in] < position[v]);
}

TEST_CASE("dependents and ancestors are transitive", "[exec][graph]") {
  ExecGraph g(dmt_like());
  auto ids = [&](const std::set<size_t>& s) {
    std::set<std::string> out;
    for (size_t i : s) out.insert(g.node(i).id);
    return out;
  };
  CHECK(ids(g.dependents_of(g.index_of("stage1"))) == std::set<std::string>{"stage2"});
  CHECK(ids(g.dependents_of(g.index_of("math"))) ==
        std::set<std::string>{"mix(math, code)", "tok", "pack1", "stage1", "mix2", "pack2", "stage2"});
  CHECK(ids(g.ancestors_of(g.index_of("pack1"))) == std::set<std::string>{"mix(math, code)", "math", "code", "tok"});
  CHECK(g.users_of(g.index_of("general")).size() == 1);
  auto in = g.inputs_of(g.index_of("stage2"));
  REQUIRE(in.size() == 2);
  CHECK(g.node(in[0]).id == "pack2");
  CHECK(g.node(in[1]).id == "stage1");
}

TEST_CASE("a cycle, a dangling input and a duplicate id are errors", "[exec][graph]") {
  PlanGraph cyclic;
  cyclic.nodes.push_back(make_node("a", "data", "mix", {"b"}, cyclic));
  cyclic.nodes.push_back(make_node("b", "data", "mix", {"a"}, cyclic));
  REQUIRE_THROWS_WITH(ExecGraph(cyclic), Catch::Contains("cycle"));

  PlanGraph dangling;
  dangling.nodes.push_back(make_node("a", "data", "mix", {"nowhere"}, dangling));
  REQUIRE_THROWS_WITH(ExecGraph(dangling), Catch::Contains("'nowhere'"));

  PlanGraph twice;
  twice.nodes.push_back(make_node("a", "data", "synthetic", {}, twice));
  twice.nodes.push_back(make_node("a", "data", "synthetic", {}, twice));
  REQUIRE_THROWS_WITH(ExecGraph(twice), Catch::Contains("twice"));
}
