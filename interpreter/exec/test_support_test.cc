// Test-only helpers (compiled into sftx_exec_test only: the _test suffix keeps them out of
// the library).
#include <catch2/catch.hpp>

#include "interpreter/exec/sha256.h"
#include "interpreter/exec/test_support.h"

namespace sftx::exec::testing {

PlanNode make_node(const std::string& id, const std::string& kind, const std::string& op,
                   const std::vector<std::string>& inputs, const PlanGraph& so_far) {
  PlanNode n;
  n.id = id;
  n.kind = kind;
  n.op = op;
  n.label = id;
  n.inputs = inputs;
  std::string text = id;
  for (const auto& in : inputs) {
    const PlanNode* p = so_far.find(in);
    text += "|" + (p ? p->key : in);
  }
  n.key = sha256_hex(text);
  n.description = {{"op", op}, {"id", id}};
  return n;
}

}  // namespace sftx::exec::testing

TEST_CASE("TempDir creates and removes a directory", "[exec][support]") {
  std::filesystem::path p;
  {
    sftx::exec::testing::TempDir dir;
    p = dir.path();
    REQUIRE(std::filesystem::is_directory(p));
  }
  REQUIRE_FALSE(std::filesystem::exists(p));
}
