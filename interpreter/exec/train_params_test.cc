#include "interpreter/exec/train_params.h"

#include <catch2/catch.hpp>

#include "interpreter/front/plan_test_support.h"

using sftx::exec::train_params_of;
using nlohmann::json;

TEST_CASE("a train node's plan parameters become the runtime structs, every setting kept", "[exec][train_params]") {
  sftx::testing::TempDir dir;
  const auto graph = sftx::testing::build_graph(dir, "t.sftx", R"(
math = synthetic("math", n = 50, seed = 1)
gsm8k_test = synthetic("gsm8k_test", n = 10, seed = 0)
base = model("llama", preset = "nano")
plan one {
  stage1 = math with { lr = 1e-4; epochs = 2; schedule = "linear"; seq_len = 64; method = lora(r = 4, alpha = 8) }
}
experiment e {
  base  = base
  plans = [one]
  eval  = [gsm8k(gsm8k_test)]
}
)");
  const sftx::PlanNode* train = nullptr;
  for (const auto& n : graph.nodes)
    if (n.kind == "train") train = &n;
  REQUIRE(train);
  const auto p = train_params_of(train->params);
  CHECK(p.model.preset == "nano");
  CHECK(p.model.overrides.contains("vocab_size"));
  CHECK(p.hyper.lr == 1e-4);
  CHECK(p.hyper.epochs == 2);
  CHECK(p.hyper.schedule == "linear");
  CHECK(p.hyper.seq_len == 64);
  CHECK(p.hyper.batch == sftx::rt::TrainHyper{}.batch);
  CHECK(p.method.kind == "lora");
  CHECK(p.method.lora_r == 4);
  CHECK(p.method.lora_alpha == 8);
}

TEST_CASE("a plan parameter the runtime does not know is an error naming it", "[exec][train_params]") {
  const json ok = {{"model", {{"preset", "nano"}}}, {"hyper", {{"lr", 0.1}}}};
  CHECK(train_params_of(ok).hyper.lr == 0.1);
  CHECK(train_params_of(ok).method.kind == "full");

  json unknown = ok;
  unknown["hyper"]["eval_every"] = 10;
  CHECK_THROWS_WITH(train_params_of(unknown), Catch::Contains("'hyper.eval_every' is no field of TrainHyper"));
  json wrong = ok;
  wrong["hyper"]["epochs"] = "three";
  CHECK_THROWS_WITH(train_params_of(wrong), Catch::Contains("'hyper.epochs' (TrainHyper)"));
  CHECK_THROWS_WITH(train_params_of({{"model", {{"preset", "nano"}}}}), Catch::Contains("'hyper' is missing"));
  CHECK_THROWS_WITH(train_params_of({{"model", 3}, {"hyper", json::object()}}), Catch::Contains("'model' is not an object"));
}
