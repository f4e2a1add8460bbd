// Helpers shared by the exec unit tests: small plan graphs built by hand (the front end's output
// shape, without the front end), and the shared scratch directory of tests/test_support.h.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "interpreter/front/plan_graph.h"
#include "tests/test_support.h"

namespace sftx::exec::testing {

// The scratch directory and file helpers every test binary shares.
using sftx::testing::read_file;
using sftx::testing::TempDir;
using sftx::testing::write_file;

// A node whose key is the SHA-256 of its id and its inputs' keys (as the front end's keys are).
PlanNode make_node(const std::string& id, const std::string& kind, const std::string& op,
                   const std::vector<std::string>& inputs, const PlanGraph& so_far);

}  // namespace sftx::exec::testing
