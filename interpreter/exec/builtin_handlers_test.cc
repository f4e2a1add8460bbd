// The built-in table (stdlib/builtins.cc, what `check` accepts) and the runtime's handler
// tables (what a run can execute) name the same things: every metric entry has a runtime
// metric handler and every handler an entry; the defaults a node leaves out (omit_default)
// are the runtime's own. This binary links both sides.
#include <algorithm>

#include <catch2/catch.hpp>

#include "runtime/api.h"
#include "runtime/eval/metric_handlers.h"
#include "runtime/eval/sandbox.h"
#include "stdlib/builtins.h"

TEST_CASE("every metric of the built-in table has a runtime handler, and no handler is unnamed", "[builtins]") {
  std::vector<std::string> handlers;
  for (const auto& f : sftx::builtin_functions()) {
    if (f.lowering != sftx::Lowering::metric) continue;
    INFO(f.name);
    const auto* handler = sftx::rt::find_metric_handler(f.handler);
    REQUIRE(handler != nullptr);
    // The version in the eval nodes' keys is the runtime scorer's.
    CHECK(f.scorer_version == handler->scorer_version);
    handlers.push_back(f.handler);
  }
  std::sort(handlers.begin(), handlers.end());
  CHECK(handlers == sftx::rt::metric_handler_names());
}

TEST_CASE("a generation setting left out of an eval node has the runtime's default", "[builtins]") {
  const sftx::rt::GenerateRequest runtime;
  const sftx::rt::SandboxLimits sandbox;
  for (const auto& f : sftx::builtin_functions()) {
    for (const auto& p : f.params) {
      if (!p.omit_default) continue;
      INFO(f.name << "(" << p.name << ")");
      if (p.name == "temperature") CHECK(p.default_value.get<double>() == runtime.temperature);
      else if (p.name == "top_p") CHECK(p.default_value.get<double>() == runtime.top_p);
      else if (p.name == "seed") CHECK(p.default_value.get<uint64_t>() == runtime.seed);
      else if (p.name == "batch") CHECK(p.default_value.get<int64_t>() == runtime.batch);
      else if (p.name == "stop") CHECK(p.default_value == nlohmann::json::array());  // the template's markers only
      else if (p.name == "timeout") CHECK(p.default_value.get<double>() == sandbox.timeout_s);
      else FAIL("no runtime default known for this omitted parameter");
    }
  }
}
