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
