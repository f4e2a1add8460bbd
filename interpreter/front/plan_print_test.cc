#include "interpreter/front/plan_print.h"

#include <catch2/catch.hpp>

#include "interpreter/front/plan_test_support.h"

using sftx::testing::build_graph;
using sftx::testing::TempDir;

TEST_CASE("sftx plan shows every setting of a LoRA method, defaults included", "[plan_print][lora]") {
  TempDir dir;
  auto g = build_graph(dir, "lora.sftx",
                       "math = synthetic(\"math\", n = 50, seed = 1)\n"
                       "plan p {\n"
                       "  stage1 = math with { method = lora(r = 4) }\n"
                       "  stage2 = math with { method = lora(alpha = 32, dropout = 0.05, targets = [\"q_proj\", \"o_proj\"]) }\n"
                       "}\n"
                       "experiment x { base = model(\"llama\", preset = \"nano\"); plans = [p]; eval = [perplexity(math)] }\n");
  std::string text = sftx::plan_text(g, {});
  INFO(text);
  CHECK(text.find("method      lora(r = 4, alpha = 16, dropout = 0, targets = [\"q_proj\", \"v_proj\"])  (with)") !=
        std::string::npos);
  CHECK(text.find("method      lora(r = 8, alpha = 32, dropout = 0.05, targets = [\"q_proj\", \"o_proj\"])  (with)") !=
        std::string::npos);
}
