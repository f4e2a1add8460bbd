// Which stage settings enter a trained stage's cache key: everything that can change the
// trained weights does; how often the trainer logs or checkpoints does not.
#include <catch2/catch.hpp>

#include "interpreter/front/plan_test_support.h"

using sftx::testing::build_graph;
using sftx::testing::TempDir;

namespace {

// The key of the only train node of a one-stage experiment whose stage is written `with { SETTINGS }`.
std::string train_key(const TempDir& dir, const std::string& name, const std::string& settings) {
  std::string text = "math = synthetic(\"math\", n = 50, seed = 1)\n"
                     "plan p { stage1 = math" + (settings.empty() ? std::string() : " with { " + settings + " }") +
                     " }\n"
                     "experiment x { base = model(\"llama\", preset = \"nano\"); plans = [p]; eval = [perplexity(math)] }\n";
  auto graph = build_graph(dir, name, text);
  std::string key;
  for (const auto& n : graph.nodes)
    if (n.kind == "train") {
      CHECK(key.empty());
      key = n.key;
    }
  REQUIRE(!key.empty());
  return key;
}

}  // namespace

TEST_CASE("log_every and save_every leave the stage key unchanged, lr changes it", "[plan_build][stage_key]") {
  TempDir dir;
  const std::string plain = train_key(dir, "plain.sftx", "");
  CHECK(train_key(dir, "log.sftx", "log_every = 1") == plain);
  CHECK(train_key(dir, "save.sftx", "save_every = 7") == plain);
  CHECK(train_key(dir, "both.sftx", "log_every = 3; save_every = 2") == plain);
  CHECK(train_key(dir, "lr.sftx", "lr = 1e-4") != plain);
  CHECK(train_key(dir, "steps.sftx", "max_steps = 5") != plain);
  // The value still reaches the trainer: it is in the node's parameters, only not in its key.
  auto graph = build_graph(dir, "params.sftx",
                           "math = synthetic(\"math\", n = 50, seed = 1)\n"
                           "plan p { stage1 = math with { save_every = 7 } }\n"
                           "experiment x { base = model(\"llama\", preset = \"nano\"); plans = [p]; eval = [perplexity(math)] }\n");
  for (const auto& n : graph.nodes)
    if (n.kind == "train") CHECK(n.params["hyper"]["save_every"] == 7);
}
