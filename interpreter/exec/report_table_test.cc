#include "interpreter/exec/report_table.h"

#include <catch2/catch.hpp>

using namespace sftx;
using namespace sftx::exec;

namespace {

PlanNode eval_node(const std::string& id, const std::string& op) {
  PlanNode n;
  n.id = id;
  n.kind = "eval";
  n.op = op;
  return n;
}

}  // namespace

TEST_CASE("the report table has a row per plan and a column per score", "[exec][report]") {
  PlanNode g1 = eval_node("gsm8k(t) @ dmt(1)", "gsm8k"), h1 = eval_node("humaneval(h) @ dmt(1)", "humaneval");
  PlanNode g2 = eval_node("gsm8k(t) @ dmt(1/4)", "gsm8k"), h2 = eval_node("humaneval(h) @ dmt(1/4)", "humaneval");
  PlanNode report;
  report.kind = "report";
  report.op = "table";
  report.params = {{"experiment", "k_sweep"},
                   {"metrics", {"gsm8k(t)", "humaneval(h)"}},
                   {"rows",
                    {{{"plan", "dmt(1)"}, {"params", {{"k", "1"}}}, {"evals", {g1.id, h1.id}}},
                     {{"plan", "dmt(1/4)"}, {"params", {{"k", "1/4"}}}, {"evals", {g2.id, h2.id}}}}}};
  auto result = [](double acc) { return nlohmann::json{{"result", {{"scores", {{"accuracy", acc}, {"n_note", "x"}}}}}}; };
  std::vector<NodeInput> in = {
      {&g1, "", result(0.5)},
      {&h1, "", {{"result", {{"scores", {{"pass@1", 0.25}}}}}}},
      {&g2, "", result(0.75)},
      {&h2, "", {{"result", {{"scores", {{"pass@1", 0.125}}}}}}},
  };
  nlohmann::json t = report_table(report, in);
  CHECK(t["experiment"] == "k_sweep");
  CHECK(t["columns"] == nlohmann::json({"gsm8k.accuracy", "humaneval.pass@1"}));
  REQUIRE(t["rows"].size() == 2);
  CHECK(t["rows"][0]["plan"] == "dmt(1)");
  CHECK(t["rows"][0]["metrics"]["gsm8k.accuracy"] == 0.5);
  CHECK(t["rows"][1]["metrics"]["humaneval.pass@1"] == 0.125);
  CHECK(t["rows"][1]["params"]["k"] == "1/4");
  CHECK_FALSE(t["rows"][0]["metrics"].contains("gsm8k.n_note"));  // only numbers are columns
}

TEST_CASE("two metrics with one op get their labels as column prefixes", "[exec][report]") {
  PlanNode a = eval_node("gsm8k(test_a) @ p", "gsm8k"), b = eval_node("gsm8k(test_b) @ p", "gsm8k");
  PlanNode report;
  report.params = {{"experiment", "x"},
                   {"metrics", {"gsm8k(test_a)", "gsm8k(test_b)"}},
                   {"rows", {{{"plan", "p"}, {"params", nlohmann::json::object()}, {"evals", {a.id, b.id}}}}}};
  std::vector<NodeInput> in = {{&a, "", {{"result", {{"scores", {{"accuracy", 0.1}}}}}}},
                               {&b, "", {{"result", {{"scores", {{"accuracy", 0.2}}}}}}}};
  nlohmann::json t = report_table(report, in);
  CHECK(t["columns"] == nlohmann::json({"gsm8k(test_a).accuracy", "gsm8k(test_b).accuracy"}));
  CHECK(t["rows"][0]["metrics"]["gsm8k(test_b).accuracy"] == 0.2);
}

TEST_CASE("with seeds, a row per plan: mean, sample std and n over seeds, per-seed values kept", "[exec][report][seeds]") {
  std::vector<PlanNode> nodes;
  nodes.reserve(6);
  nlohmann::json rows = nlohmann::json::array();
  std::vector<NodeInput> in;
  const double acc[2][3] = {{0.2, 0.4, 0.6}, {0.5, 0.5, 0.5}};
  const char* plans[2] = {"a", "b"};
  for (int p = 0; p < 2; ++p)
    for (int s = 0; s < 3; ++s) {
      nodes.push_back(eval_node(std::string("gsm8k(t) @ ") + plans[p] + "[seed=" + std::to_string(s + 1) + "]", "gsm8k"));
      rows.push_back({{"plan", plans[p]}, {"params", nlohmann::json::object()}, {"seed", s + 1}, {"evals", {nodes.back().id}}});
      // b's seed 3 failed: no input for it.
      if (!(p == 1 && s == 2))
        in.push_back({&nodes.back(), "", {{"result", {{"scores", {{"accuracy", acc[p][s]}}}}}}});
    }
  PlanNode report;
  report.params = {{"experiment", "x"}, {"metrics", {"gsm8k(t)"}}, {"rows", rows}, {"seeds", {1, 2, 3}}};
  nlohmann::json t = report_table(report, in);
  CHECK(t["seeds"] == nlohmann::json({1, 2, 3}));
  CHECK(t["column_kinds"]["gsm8k.accuracy"] == "rate");
  REQUIRE(t["rows"].size() == 2);
  const auto& a = t["rows"][0];
  CHECK(a["plan"] == "a");
  CHECK(a["metrics"]["gsm8k.accuracy"].get<double>() == Approx(0.4));
  CHECK(a["std"]["gsm8k.accuracy"].get<double>() == Approx(0.2));
  CHECK(a["n"]["gsm8k.accuracy"] == 3);
  REQUIRE(a["per_seed"].size() == 3);
  CHECK(a["per_seed"][1]["seed"] == 2);
  CHECK(a["per_seed"][1]["metrics"]["gsm8k.accuracy"].get<double>() == Approx(0.4));
  const auto& b = t["rows"][1];
  CHECK(b["n"]["gsm8k.accuracy"] == 2);
  CHECK(b["std"]["gsm8k.accuracy"].get<double>() == Approx(0.0));
  CHECK(b["per_seed"][2]["metrics"].empty());
}
