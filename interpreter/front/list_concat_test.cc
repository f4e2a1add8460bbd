// `+` on two lists concatenates them: a sweep plus a baseline in one `plans` field.
#include <catch2/catch.hpp>

#include "interpreter/front/check.h"
#include "tests/test_support.h"

using sftx::testing::TempDir;

namespace {

const char* kPlans = R"(
math    = synthetic("math", n = 100, seed = 1)
general = synthetic("general", n = 100, seed = 2)
ks = [1, 1/4]
plan multitask { stage1 = mix(math, general) }
plan dmt(k) { stage1 = math; stage2 = mix(general, k * stage1.data) }
experiment sweep {
  base  = model("llama", preset = "nano")
  plans = [dmt(k) for k in ks] + [multitask]
  eval  = [gsm8k(gsm8k_test)] + [perplexity(general)]
}
)";

}  // namespace

TEST_CASE("list + list concatenates, in order, in plans and eval", "[check][list]") {
  TempDir dir;
  sftx::Diagnostics diags;
  auto checked = sftx::check_file(dir.write("main.sftx", kPlans), diags);
  INFO(diags.render());
  REQUIRE(checked);
  REQUIRE(checked->experiments.size() == 1);
  const auto& x = checked->experiments[0];
  REQUIRE(x.plans.size() == 3);
  CHECK(x.plans[0]->label == "dmt(1)");
  CHECK(x.plans[1]->label == "dmt(1/4)");
  CHECK(x.plans[2]->label == "multitask");
  REQUIRE(x.metrics.size() == 2);
  CHECK(x.metrics[0]->metric == "gsm8k");
  CHECK(x.metrics[1]->metric == "perplexity");
}

TEST_CASE("list + non-list is an error that says to bracket the item", "[check][list]") {
  TempDir dir;
  sftx::Diagnostics diags;
  auto checked = sftx::check_file(dir.write("main.sftx", "xs = [1, 2] + 3\n"), diags);
  CHECK_FALSE(checked);
  std::string text = diags.render();
  CHECK(text.find("'+' cannot combine a List and a Number") != std::string::npos);
  CHECK(text.find("put a single item in brackets") != std::string::npos);
}

TEST_CASE("a chain of doubling concatenations stops at the list budget", "[check][list]") {
  TempDir dir;
  std::string text = "x0 = [1, 2, 3, 4]\n";
  for (int i = 1; i <= 24; ++i)
    text += "x" + std::to_string(i) + " = x" + std::to_string(i - 1) + " + x" + std::to_string(i - 1) + "\n";
  text += "n = x24\n";
  sftx::Diagnostics diags;
  auto checked = sftx::check_file(dir.write("main.sftx", text), diags);
  CHECK_FALSE(checked);
  CHECK(diags.render().find("lists too large") != std::string::npos);
}
