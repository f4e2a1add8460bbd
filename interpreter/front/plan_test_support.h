// Test helpers for the plan graph: check a text written into a TempDir and build its graph
// (a failed check fails the test with the rendered diagnostics), and count nodes by kind.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "interpreter/front/check.h"
#include "interpreter/front/plan_build.h"
#include "tests/test_support.h"

namespace sftx::testing {

inline sftx::PlanGraph build_graph(const TempDir& dir, const std::string& name, const std::string& text,
                                   const std::string& experiment = "") {
  sftx::Diagnostics diags;
  auto checked = sftx::check_file(dir.write(name, text), diags);
  INFO(diags.render());
  REQUIRE(checked);
  auto graph = sftx::build_plan_graph(*checked, experiment, diags);
  REQUIRE(graph);
  return *graph;
}

inline int count_kind(const sftx::PlanGraph& g, const std::string& kind) {
  int n = 0;
  for (const auto& node : g.nodes) n += node.kind == kind;
  return n;
}

}  // namespace sftx::testing
