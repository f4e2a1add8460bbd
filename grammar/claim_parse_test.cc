// Parsing of claims: `expect "name" { SIDE OP SIDE and ... }` inside an experiment.
#include <catch2/catch.hpp>

#include "grammar/ast_print.h"
#include "grammar/parser.h"

using namespace sftx;

namespace {

Program parse_ok(const std::string& text) {
  Diagnostics diags;
  SourceFile file("t.sftx", text);
  auto p = parse(file, diags);
  REQUIRE(p.has_value());
  INFO(diags.render(false));
  REQUIRE_FALSE(diags.has_errors());
  return std::move(*p);
}

std::vector<std::string> errors_of(const std::string& text) {
  Diagnostics diags;
  SourceFile file("t.sftx", text);
  parse(file, diags);
  std::vector<std::string> out;
  for (const auto& d : diags.all())
    if (d.severity == Severity::error)
      out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  return out;
}

const ExperimentDecl& only_experiment(const Program& p) {
  REQUIRE(p.items.size() == 1);
  REQUIRE(p.items[0].is<ExperimentDecl>());
  return *p.items[0].as<ExperimentDecl>();
}

}  // namespace

TEST_CASE("a claim parses into comparisons of linear sides", "[parser][claims]") {
  Program p = parse_ok(
      "experiment x {\n"
      "  plans = [a, dmt(1/256)]\n"
      "  expect \"dmt keeps general\" { dmt(1/256).ifeval.prompt_strict > a.ifeval.prompt_strict - 0.05 }\n"
      "  expect \"trade\" {\n"
      "    -a.gsm8k.accuracy + 2 * dmt(1/256).humaneval.pass@1 >= 0\n"
      "    and a.gsm8k.accuracy<=dmt(1/256).gsm8k.accuracy\n"
      "  }\n"
      "}\n");
  const ExperimentDecl& x = only_experiment(p);
  REQUIRE(x.fields.size() == 1);
  REQUIRE(x.claims.size() == 2);
  CHECK(x.claims[0].name == "dmt keeps general");
  CHECK(to_text(x.claims[0]) ==
        "expect \"dmt keeps general\" { dmt((1 / 256)).ifeval.prompt_strict > a.ifeval.prompt_strict - 0.05 }");
  CHECK(to_text(x.claims[1]) ==
        "expect \"trade\" { -a.gsm8k.accuracy + 2 * dmt((1 / 256)).humaneval.pass@1 >= 0 and "
        "a.gsm8k.accuracy <= dmt((1 / 256)).gsm8k.accuracy }");
  const ClaimComparison& c = x.claims[1].comparisons[0];
  REQUIRE(c.lhs.size() == 2);
  CHECK(c.lhs[0].negative);
  CHECK(c.lhs[0].coefficient.empty());
  CHECK(c.lhs[1].coefficient == "2");
  REQUIRE(c.lhs[1].ref);
  CHECK(c.lhs[1].ref->field == "pass@1");
  REQUIRE(c.rhs.size() == 1);
  CHECK_FALSE(c.rhs[0].ref);
  CHECK(c.op == ">=");
}

TEST_CASE("`expect` and `and` stay usable as names", "[parser][claims]") {
  Program p = parse_ok("expect = 3\nand = expect\n");
  CHECK(p.items.size() == 2);
}

TEST_CASE("malformed claims are located syntax errors", "[parser][claims]") {
  const std::string head = "experiment x {\n  plans = [a]\n";
  CHECK(errors_of(head + "  expect { a.m.f < 1 }\n}\n") ==
        std::vector<std::string>{"3:10: expected the claim's name in quotes after 'expect'"});
  CHECK(errors_of(head + "  expect \"c\" { a.m.f == 1 }\n}\n") ==
        std::vector<std::string>{
            "3:22: expected a comparison operator (<, >, <= or >=) after the claim's left side"});
  CHECK(errors_of(head + "  expect \"c\" { a.gsm8k < b.gsm8k.accuracy }\n}\n") ==
        std::vector<std::string>{"3:24: expected '.FIELD' after the metric: a claim refers to PLAN.METRIC.FIELD"});
  CHECK(errors_of(head + "  expect \"c\" { a.m.f < a.m.f * 2 }\n}\n") ==
        std::vector<std::string>{"3:30: expected '}' or 'and' to close the claim opened at 3:14"});
  CHECK(errors_of(head + "  expect \"c\" { a.m.f < 0.5 * 3 }\n}\n") ==
        std::vector<std::string>{
            "3:30: expected PLAN.METRIC.FIELD after '*' (a claim scales references by numbers only)"});
  CHECK(errors_of(head + "  expect \"c\" { a.m.f < 1 and }\n}\n") ==
        std::vector<std::string>{"3:30: expected a comparison after 'and'"});
  CHECK(errors_of(head + "  expect \"c\" { }\n}\n") ==
        std::vector<std::string>{
            "3:16: expected a comparison after '{': SIDE < SIDE, where a side adds PLAN.METRIC.FIELD terms"});
}
