#include "grammar/parser.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "grammar/ast_print.h"
#include "grammar/parse_state.h"

using namespace sftx;

namespace {

struct Parsed {
  Program program;
  Diagnostics diags;
};

Parsed parse_text(const std::string& text) {
  Parsed r;
  SourceFile file("t.sftx", text);
  auto p = parse(file, r.diags);
  REQUIRE(p.has_value());
  r.program = std::move(*p);
  return r;
}

// "LINE:COL: MESSAGE" per error, in order.
std::vector<std::string> errors_of(const std::string& text) {
  Parsed r = parse_text(text);
  std::vector<std::string> out;
  for (const auto& d : r.diags.all())
    if (d.severity == Severity::error)
      out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  return out;
}

std::string ok_text(const std::string& text) {
  Parsed r = parse_text(text);
  INFO(r.diags.render());
  CHECK_FALSE(r.diags.has_errors());
  return to_text(r.program);
}

const Expr& value_of(const Program& p, std::size_t i) {
  REQUIRE(i < p.items.size());
  const auto* b = p.items[i].as<Binding>();
  REQUIRE(b != nullptr);
  return b->value;
}

// The contract's §1 example, verbatim.
const char* kContractExample = R"SFTX(# experiments/table1.sftx — the four SFT strategies of the DMT paper
use "paper_data.sftx"                       # import: every top-level name of that file

math    = jsonl("data/gsm8k_rft.jsonl", format = "gsm8k")
code    = jsonl("data/code_alpaca.jsonl", format = "alpaca")
general = jsonl("data/sharegpt.jsonl", format = "sharegpt")
          |> filter(max_chars = 16000)
          |> dedup("minhash", threshold = 0.85)
          |> decontaminate(gsm8k_test, humaneval_test)

base = model("llama", preset = "mini")      # or hf("path/to/hf-checkpoint")

defaults { epochs = 3; lr = 2e-5; batch = 16; warmup = 0.03; template = "vicuna" }

plan multitask        { stage1 = mix(math, code, general) }
plan sequential       { stage1 = code; stage2 = math; stage3 = general }
plan mixed_sequential { stage1 = mix(math, code); stage2 = general }
plan dmt(k) {
  stage1 = mix(math, code)
  stage2 = mix(general, k * stage1.data) with { epochs = 1 }
}

experiment table1 {
  base  = base
  plans = [multitask, sequential, mixed_sequential, dmt(1/256)]
  eval  = [gsm8k(gsm8k_test), humaneval(humaneval_test), ifeval(ifeval_test)]
}

experiment k_sweep {
  base  = base
  plans = [dmt(k) for k in [1, 1/4, 1/16, 1/64, 1/256]]
  eval  = [gsm8k(gsm8k_test), humaneval(humaneval_test), ifeval(ifeval_test)]
}
)SFTX";

}  // namespace

TEST_CASE("the contract's complete example parses into the expected AST", "[parser]") {
  CHECK(ok_text(kContractExample) ==
        "use \"paper_data.sftx\"\n"
        "math = jsonl(\"data/gsm8k_rft.jsonl\", format = \"gsm8k\")\n"
        "code = jsonl(\"data/code_alpaca.jsonl\", format = \"alpaca\")\n"
        "general = (((jsonl(\"data/sharegpt.jsonl\", format = \"sharegpt\") |> filter(max_chars = 16000)) |> "
        "dedup(\"minhash\", threshold = 0.85)) |> decontaminate(gsm8k_test, humaneval_test))\n"
        "base = model(\"llama\", preset = \"mini\")\n"
        "defaults {epochs = 3; lr = 2e-5; batch = 16; warmup = 0.03; template = \"vicuna\"}\n"
        "plan multitask { stage1 = mix(math, code, general) }\n"
        "plan sequential { stage1 = code; stage2 = math; stage3 = general }\n"
        "plan mixed_sequential { stage1 = mix(math, code); stage2 = general }\n"
        "plan dmt(k) { stage1 = mix(math, code); stage2 = mix(general, (k * stage1.data)) with {epochs = 1} }\n"
        "experiment table1 {base = base; plans = [multitask, sequential, mixed_sequential, dmt((1 / 256))]; "
        "eval = [gsm8k(gsm8k_test), humaneval(humaneval_test), ifeval(ifeval_test)]}\n"
        "experiment k_sweep {base = base; plans = [dmt(k) for k in [1, (1 / 4), (1 / 16), (1 / 64), (1 / 256)]]; "
        "eval = [gsm8k(gsm8k_test), humaneval(humaneval_test), ifeval(ifeval_test)]}\n");
}

TEST_CASE("the design card's line is valid verbatim inside a plan", "[parser]") {
  CHECK(ok_text("plan p {\n  stage1 = mix(math, code); stage2 = mix(general, 1/256 * stage1.data)\n}\n") ==
        "plan p { stage1 = mix(math, code); stage2 = mix(general, ((1 / 256) * stage1.data)) }\n");
}

TEST_CASE("numbers keep their literal text, 1/256 is a division", "[parser]") {
  Parsed r = parse_text("a = 3\nb = 0.03\nc = 2e-5\nd = 1/256\ne = 1E+3\n");
  CHECK_FALSE(r.diags.has_errors());
  CHECK(value_of(r.program, 0).as<Number>()->text == "3");
  CHECK(value_of(r.program, 1).as<Number>()->text == "0.03");
  CHECK(value_of(r.program, 2).as<Number>()->text == "2e-5");
  CHECK(value_of(r.program, 4).as<Number>()->text == "1E+3");
  const auto* div = value_of(r.program, 3).as<Binary>();
  REQUIRE(div);
  CHECK(div->op == '/');
  CHECK(div->lhs->as<Number>()->text == "1");
  CHECK(div->rhs->as<Number>()->text == "256");
}

TEST_CASE("operator precedence and associativity", "[parser]") {
  CHECK(ok_text("x = 1/2 * 1/128\n") == "x = (((1 / 2) * 1) / 128)\n");
  CHECK(ok_text("x = a + b * c - d\n") == "x = ((a + (b * c)) - d)\n");
  CHECK(ok_text("x = -k * d\n") == "x = ((-k) * d)\n");
  CHECK(ok_text("x = d * 3\n") == "x = (d * 3)\n");
  CHECK(ok_text("x = (1/4) * (general |> take(10))\n") == "x = ((1 / 4) * (general |> take(10)))\n");
  CHECK(ok_text("x = 1/4 * general |> take(10)\n") == "x = (((1 / 4) * general) |> take(10))\n");
}

TEST_CASE("strings decode their escapes", "[parser]") {
  Parsed r = parse_text(R"(s = "a\"b\\c\nd\te")" "\n");
  CHECK_FALSE(r.diags.has_errors());
  CHECK(value_of(r.program, 0).as<String>()->value == "a\"b\\c\nd\te");
  CHECK(ok_text("s = \"# not a comment\"  # a comment\n") == "s = \"# not a comment\"\n");
  CHECK(ok_text("s = \"\"\n") == "s = \"\"\n");
}

TEST_CASE("booleans, lists, records", "[parser]") {
  CHECK(ok_text("a = true\nb = false\nc = []\nd = [1, [2, 3], ]\n") == "a = true\nb = false\nc = []\nd = [1, [2, 3]]\n");
  CHECK(ok_text("r = { a = 1; b = \"x\" }\n") == "r = {a = 1; b = \"x\"}\n");
  CHECK(ok_text("r = {a = 1, b = 2,}\n") == "r = {a = 1; b = 2}\n");
  CHECK(ok_text("r = {\n  a = 1\n\n  b = { c = [1,\n 2] }  # nested\n}\n") == "r = {a = 1; b = {c = [1, 2]}}\n");
  CHECK(ok_text("r = {}\n") == "r = {}\n");
  CHECK(ok_text("trueish = true_value\n") == "trueish = true_value\n");  // keywords only as whole words
}

TEST_CASE("calls with positional and keyword arguments, across lines", "[parser]") {
  Parsed r = parse_text("d = f(x, \"y\",\n      k = 2,   # comment\n\n      j = [1])\n");
  CHECK_FALSE(r.diags.has_errors());
  const auto* c = value_of(r.program, 0).as<Call>();
  REQUIRE(c);
  CHECK(c->callee == "f");
  CHECK(c->args.size() == 2);
  REQUIRE(c->keywords.size() == 2);
  CHECK(c->keywords[0].name == "k");
  CHECK(c->keywords[1].name == "j");
  SourceFile f("t.sftx", "d = f(x, \"y\",\n      k = 2,   # comment\n\n      j = [1])\n");
  CHECK(f.location(c->keywords[1].name_range.begin).line == 4);
  CHECK(f.location(c->keywords[1].name_range.begin).column == 7);
  CHECK(f.slice(c->keywords[0].range) == "k = 2");
  CHECK(f.slice(c->callee_range) == "f");
  CHECK(ok_text("x = f()\ny = g ( 1 , )\n") == "x = f()\ny = g(1)\n");
}

TEST_CASE("member access on names and calls", "[parser]") {
  Parsed r = parse_text("x = dmt(1/4).stage1.data\n");
  CHECK_FALSE(r.diags.has_errors());
  const Expr& e = value_of(r.program, 0);
  const auto* outer = e.as<Member>();
  REQUIRE(outer);
  CHECK(outer->field == "data");
  const auto* inner = outer->object->as<Member>();
  REQUIRE(inner);
  CHECK(inner->field == "stage1");
  CHECK(inner->object->as<Call>()->callee == "dmt");
  SourceFile f("t.sftx", "x = dmt(1/4).stage1.data\n");
  CHECK(f.slice(e.range) == "dmt(1/4).stage1.data");
  CHECK(f.slice(outer->field_range) == "data");
}

TEST_CASE("pipelines continue on lines starting with |>, past comments and blank lines", "[parser]") {
  CHECK(ok_text("g = src\n  # why\n\n  |> filter(max_chars = 10)\n  |> shuffle\nh = 1\n") ==
        "g = ((src |> filter(max_chars = 10)) |> shuffle())\nh = 1\n");
  Parsed r = parse_text("g = a |> f(1)\n");
  const auto* pp = value_of(r.program, 0).as<Pipe>();
  REQUIRE(pp);
  CHECK(pp->call->as<Call>()->callee == "f");
}

TEST_CASE("statements end at newline or a semicolon, comments anywhere", "[parser]") {
  CHECK(ok_text("a = 1; b = 2;;\n# only a comment\n\n  c = 3 # trailing\n;") == "a = 1\nb = 2\nc = 3\n");
  CHECK(ok_text("") == "");
  CHECK(ok_text("# nothing but a comment") == "");
  CHECK(ok_text("a = 1\r\nb = [1,\r\n 2]\r\n") == "a = 1\nb = [1, 2]\n");
  CHECK(ok_text("\xEF\xBB\xBF" "a = 1\n") == "a = 1\n");  // a byte order mark is skipped
}

TEST_CASE("defaults, plans with params/from/with, any stage names in order", "[parser]") {
  std::string src =
      "defaults {\n  epochs = 3\n  lr = 2e-5; batch = 16\n}\n"
      "plan p(k, j,) from hf(\"ckpt\") {\n"
      "  warmup_math = k * math with { epochs = 1; lr = 1e-5 }\n"
      "  zzz = mix(general, j * warmup_math.data)\n"
      "  aaa = zzz.data\n"
      "}\n"
      "plan empty {}\n"
      "plan noparams() { s = x }\n";
  Parsed r = parse_text(src);
  INFO(r.diags.render());
  CHECK_FALSE(r.diags.has_errors());
  REQUIRE(r.program.items.size() == 4);
  const auto* d = r.program.items[0].as<DefaultsBlock>();
  REQUIRE(d);
  CHECK(d->fields.size() == 3);
  const auto* p = r.program.items[1].as<PlanDecl>();
  REQUIRE(p);
  CHECK(p->name == "p");
  CHECK(p->has_param_list);
  REQUIRE(p->params.size() == 2);
  CHECK(p->params[1].name == "j");
  REQUIRE(p->from.has_value());
  CHECK(p->from->as<Call>()->callee == "hf");
  REQUIRE(p->stages.size() == 3);
  CHECK(p->stages[0].name == "warmup_math");
  CHECK(p->stages[1].name == "zzz");
  CHECK(p->stages[2].name == "aaa");
  REQUIRE(p->stages[0].with.has_value());
  CHECK(p->stages[0].with->as<Record>()->fields.size() == 2);
  CHECK_FALSE(p->stages[1].with.has_value());
  SourceFile f("t.sftx", src);
  CHECK(f.slice(p->stages[0].range) == "warmup_math = k * math with { epochs = 1; lr = 1e-5 }");
  CHECK(f.location(p->stages[1].name_range.begin).line == 7);
  const auto* e = r.program.items[2].as<PlanDecl>();
  REQUIRE(e);
  CHECK(e->stages.empty());
  CHECK_FALSE(e->has_param_list);
  CHECK(r.program.items[3].as<PlanDecl>()->has_param_list);
  CHECK(r.program.items[3].as<PlanDecl>()->params.empty());
}

TEST_CASE("experiments with comprehensions", "[parser]") {
  Parsed r = parse_text("experiment e {\n  plans = [dmt(k) for k in [1, 1/4]]\n  seeds = [1, 2]; name = \"x\"\n}\n");
  CHECK_FALSE(r.diags.has_errors());
  const auto* x = r.program.items.at(0).as<ExperimentDecl>();
  REQUIRE(x);
  CHECK(x->name == "e");
  REQUIRE(x->fields.size() == 3);
  const auto* c = x->fields[0].value->as<Comprehension>();
  REQUIRE(c);
  CHECK(c->var == "k");
  CHECK(c->element->as<Call>()->callee == "dmt");
  CHECK(c->iterable->as<List>()->items.size() == 2);
  CHECK(ok_text("x = [\n  p(a)\n  for a in xs\n]\n") == "x = [p(a) for a in xs]\n");
}

TEST_CASE("item ranges cover the whole item", "[parser]") {
  std::string src = "  use \"a.sftx\"\nplan p { s = x }\nexperiment e { base = b }\n";
  Parsed r = parse_text(src);
  SourceFile f("t.sftx", src);
  REQUIRE(r.program.items.size() == 3);
  CHECK(f.slice(r.program.items[0].range) == "use \"a.sftx\"");
  CHECK(f.slice(r.program.items[0].as<UseDecl>()->path_range) == "\"a.sftx\"");
  CHECK(r.program.items[0].as<UseDecl>()->path == "a.sftx");
  CHECK(f.slice(r.program.items[1].range) == "plan p { s = x }");
  CHECK(f.slice(r.program.items[2].range) == "experiment e { base = b }");
}

// ---------------------------------------------------------------- errors, one per case

TEST_CASE("error: missing ')' of a call names where it opened", "[parser][errors]") {
  CHECK(errors_of("x = f(a, b\ny = 2\n") ==
        std::vector<std::string>{"1:11: expected ')' to close the call opened at 1:6"});
}

TEST_CASE("error: missing ',' between arguments gets a help", "[parser][errors]") {
  Parsed r = parse_text("x = f(a b)\n");
  REQUIRE(r.diags.all().size() == 1);
  CHECK(r.diags.all()[0].message == "expected ')' to close the call opened at 1:6");
  CHECK(r.diags.all()[0].column == 9);
  CHECK(r.diags.all()[0].helps == std::vector<std::string>{"arguments are separated by ','"});
}

TEST_CASE("error: unterminated string points at its opening quote", "[parser][errors]") {
  CHECK(errors_of("a = 1\nb = \"abc\nc = 2\n") == std::vector<std::string>{"2:5: unterminated string"});
  CHECK(errors_of("b = \"abc\\") == std::vector<std::string>{"1:5: unterminated string"});
}

TEST_CASE("error: unknown escape", "[parser][errors]") {
  CHECK(errors_of("s = \"a\\qb\"\n") == std::vector<std::string>{"1:7: unknown escape sequence '\\q' in string"});
}

TEST_CASE("error: unexpected '}' at top level", "[parser][errors]") {
  CHECK(errors_of("a = 1\n}\nb = 2\n") == std::vector<std::string>{"2:1: unexpected '}'"});
}

TEST_CASE("error: expression missing after an operator", "[parser][errors]") {
  CHECK(errors_of("x = 1/\n") == std::vector<std::string>{"1:7: expected an expression after '/'"});
  CHECK(errors_of("x = a *\n") == std::vector<std::string>{"1:8: expected an expression after '*'"});
  CHECK(errors_of("x = -\n") == std::vector<std::string>{"1:6: expected an expression after '-'"});
  CHECK(errors_of("x =\n") == std::vector<std::string>{"1:4: expected an expression after '='"});
}

TEST_CASE("error: a pipe needs a call", "[parser][errors]") {
  CHECK(errors_of("x = a |> 3\n") == std::vector<std::string>{"1:10: expected a function call after '|>'"});
}

TEST_CASE("error: missing '=' in a definition", "[parser][errors]") {
  CHECK(errors_of("mix(a, b)\n") == std::vector<std::string>{"1:4: expected '=' after 'mix'"});
  CHECK(errors_of("plan p {\n  stage1 mix(a)\n}\n") == std::vector<std::string>{"2:10: expected '=' after 'stage1'"});
}

TEST_CASE("error: trailing junk after a statement", "[parser][errors]") {
  CHECK(errors_of("x = 1 2\n") == std::vector<std::string>{"1:7: unexpected '2'"});
  CHECK(errors_of("x = f(a))\n") == std::vector<std::string>{"1:9: unexpected ')'"});
  CHECK(errors_of("plan a { s = x } plan b { s = y }\n") == std::vector<std::string>{"1:18: unexpected 'plan'"});
}

TEST_CASE("error: plans", "[parser][errors]") {
  CHECK(errors_of("plan { s = x }\n") == std::vector<std::string>{"1:6: expected a plan name after 'plan'"});
  CHECK(errors_of("plan p(1) { s = x }\n") ==
        std::vector<std::string>{"1:8: expected a parameter name or ')' after '('"});
  CHECK(errors_of("plan p(a\n") == std::vector<std::string>{"1:9: expected ')' to close the parameter list opened at 1:7"});
  CHECK(errors_of("plan p\n  s = x\n") == std::vector<std::string>{"2:3: expected '{' to open the plan body"});
  CHECK(errors_of("plan p {\n  s = x\n\nexperiment e { base = b }\n") ==
        std::vector<std::string>{"2:8: expected '}' to close the plan body opened at 1:8"});
  CHECK(errors_of("plan p from\n{ s = x }\n") == std::vector<std::string>{"1:12: expected a model after 'from'"});  // its body is skipped
  CHECK(errors_of("plan p { s = x with 3 }\n") ==
        std::vector<std::string>{"1:21: expected a record '{ ... }' after 'with'"});
  CHECK(errors_of("plan p { s = }\n") == std::vector<std::string>{"1:14: expected an expression after '='"});
}

TEST_CASE("error: every bad stage of a plan is reported and the good ones kept", "[parser][errors]") {
  Parsed r = parse_text("plan p {\n  s1 = mix(a,\n  s2 = x\n  s3 = 1 +\n  ) = 4\n  s4 = y\n}\nz = 1\n");
  std::vector<std::string> errs;
  for (const auto& d : r.diags.all()) errs.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  // `s2 = x` reads as a keyword argument of the unclosed call.
  CHECK(errs == std::vector<std::string>{"3:9: expected ')' to close the call opened at 2:11",
                                        "4:11: expected an expression after '+'", "5:3: unexpected ')'"});
  CHECK(to_text(r.program) == "plan p { s4 = y }\nz = 1\n");
}

TEST_CASE("error: experiments and defaults", "[parser][errors]") {
  CHECK(errors_of("experiment { base = b }\n") ==
        std::vector<std::string>{"1:12: expected an experiment name after 'experiment'"});
  CHECK(errors_of("experiment e base = b\n") == std::vector<std::string>{"1:14: expected '{' after the experiment name"});
  CHECK(errors_of("experiment e {\n  base b\n  plans = []\n}\n") == std::vector<std::string>{"2:8: expected '=' after 'base'"});
  CHECK(errors_of("defaults epochs = 1\n") == std::vector<std::string>{"1:10: expected '{' after 'defaults'"});
  CHECK(errors_of("defaults { epochs = 1\n") ==
        std::vector<std::string>{"1:22: expected '}' to close the defaults block opened at 1:10"});
}

TEST_CASE("error: lists, records, comprehensions, parentheses", "[parser][errors]") {
  CHECK(errors_of("x = [1, 2\n") == std::vector<std::string>{"1:10: expected ']' to close the list opened at 1:5"});
  CHECK(errors_of("x = [,]\n") == std::vector<std::string>{"1:6: expected a list element or ']' after '['"});
  CHECK(errors_of("x = [1, , 2]\n") == std::vector<std::string>{"1:9: expected a list element after ','"});
  CHECK(errors_of("x = [p for in xs]\n") == std::vector<std::string>{"1:12: expected a variable name after 'for'"});
  CHECK(errors_of("x = [p for k of xs]\n") ==
        std::vector<std::string>{"1:14: expected 'in' after the variable of the list comprehension"});
  CHECK(errors_of("x = [p for k in]\n") == std::vector<std::string>{"1:16: expected a list after 'in'"});
  CHECK(errors_of("x = [p for k in xs, 2]\n") ==
        std::vector<std::string>{"1:19: expected ']' to close the list comprehension opened at 1:5"});
  CHECK(errors_of("x = { a = 1 b = 2 }\n") == std::vector<std::string>{"1:13: expected '}' to close the record opened at 1:5"});
  CHECK(errors_of("x = { 1 }\n") == std::vector<std::string>{"1:7: expected a field (name = value) or '}' after '{'"});
  CHECK(errors_of("x = { a 1 }\n") == std::vector<std::string>{"1:9: expected '=' after 'a'"});
  CHECK(errors_of("x = (1\n") == std::vector<std::string>{"1:7: expected ')' to close the parenthesis opened at 1:5"});
  CHECK(errors_of("x = ()\n") == std::vector<std::string>{"1:6: expected an expression after '('"});
  CHECK(errors_of("x = f(,)\n") == std::vector<std::string>{"1:7: expected an argument or ')' after '('"});
  CHECK(errors_of("x = f(a, , b)\n") == std::vector<std::string>{"1:10: expected an argument after ','"});
  CHECK(errors_of("x = f(k = )\n") == std::vector<std::string>{"1:11: expected a value after '='"});
  CHECK(errors_of("x = a.\n") == std::vector<std::string>{"1:7: expected a field name after '.'"});
}

TEST_CASE("error: numbers", "[parser][errors]") {
  CHECK(errors_of("x = 1.\n") == std::vector<std::string>{"1:7: expected digits after the decimal point"});
  CHECK(errors_of("x = 2e-\n") == std::vector<std::string>{"1:8: expected digits in the exponent of the number"});
}

TEST_CASE("error: use needs a quoted path", "[parser][errors]") {
  CHECK(errors_of("use paper_data\n") == std::vector<std::string>{"1:5: expected a file name in quotes after 'use'"});
}

TEST_CASE("error: reserved words and stray characters", "[parser][errors]") {
  CHECK(errors_of("from = 1\n") == std::vector<std::string>{"1:1: unexpected 'from'"});
  CHECK(errors_of("x = 1\n@y = 2\né = 3\n\x01 = 4\n") ==
        std::vector<std::string>{"2:1: unexpected '@'", "3:1: unexpected 'é'", "4:1: unexpected '\\x01'"});
  CHECK(errors_of("plan p {\n  with = 1\n}\n") == std::vector<std::string>{"2:3: unexpected 'with'"});
}

TEST_CASE("error: positional argument after a keyword argument", "[parser][errors]") {
  CHECK(errors_of("x = f(k = 1, y)\n") == std::vector<std::string>{"1:14: positional argument after keyword argument"});
}

TEST_CASE("error: all errors of a file in one pass, in order", "[parser][errors]") {
  CHECK(errors_of("a = f(1\nb = 2\nc = )\nd = \"x\ne = [1 2]\nf = 3\n") ==
        std::vector<std::string>{"1:8: expected ')' to close the call opened at 1:6",
                                 "3:5: expected an expression after '='", "4:5: unterminated string",
                                 "5:8: expected ']' to close the list opened at 5:5"});
  Parsed r = parse_text("a = f(1\nb = 2\nc = )\nf = 3\n");
  CHECK(to_text(r.program) == "b = 2\nf = 3\n");
}

TEST_CASE("nesting is bounded: deep input is a diagnostic, not a crash", "[parser][errors]") {
  std::string deep = "x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\ny = 2\n";
  auto errs = errors_of(deep);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].find("expression nested too deeply (more than 200 levels)") != std::string::npos);
  Parsed r = parse_text(deep);
  CHECK(to_text(r.program) == "y = 2\n");

  std::string negs = "x = " + std::string(5000, '-') + "1\n";
  CHECK(errors_of(negs).size() == 1);
  std::string chain = "x = a";
  for (int i = 0; i < 3000; ++i) chain += " * a";
  CHECK(errors_of(chain + "\n") == std::vector<std::string>{"1:5: expression nested too deeply (more than 400 levels)"});
  std::string members = "x = a";
  for (int i = 0; i < 3000; ++i) members += ".b";
  CHECK(errors_of(members + "\n").size() == 1);
  std::string ok = "x = " + std::string(150, '[') + std::string(150, ']') + "\n";
  CHECK(errors_of(ok).empty());
}

TEST_CASE("the number of reported syntax errors is capped", "[parser][errors]") {
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "}\n";
  auto errs = errors_of(many);
  CHECK(errs.size() == grammar::kMaxSyntaxErrors + 1);
}

TEST_CASE("parse_file reports unreadable files", "[parser]") {
  Diagnostics d;
  CHECK_FALSE(parse_file("/nonexistent/dir/x.sftx", d).has_value());
  REQUIRE(d.all().size() == 1);
  CHECK(d.all()[0].line == 0);
  CHECK(d.all()[0].message.rfind("cannot open file", 0) == 0);
  Diagnostics d2;
  CHECK_FALSE(parse_file("/tmp", d2).has_value());
  CHECK(d2.all().at(0).message == "cannot read file: it is a directory");
  Diagnostics d4;
  CHECK_FALSE(parse_file("/dev/zero", d4).has_value());  // endless: refused, not read
  CHECK(d4.all().at(0).message == "cannot read file: not a regular file");

  std::string path = "/tmp/sftx_grammar_parse_file_test.sftx";
  { std::ofstream(path) << "x = (1\n"; }
  Diagnostics d3;
  SourceFile src;
  auto p = parse_file(path, d3, &src);
  std::remove(path.c_str());
  REQUIRE(p.has_value());
  CHECK(src.text() == "x = (1\n");
  CHECK(d3.render() ==
        path + ":1:7: error: expected ')' to close the parenthesis opened at 1:5\n"
               "   1 | x = (1\n"
               "     |       ^\n");
}

// Recovery puts the parser's state back where the failed statement started (parse_tree.h's
// recovering<>): brackets opened inside it are no longer open, its nesting no longer counts,
// and nothing it had built stays in the tree.
TEST_CASE("error: a failed statement leaves no open bracket, nesting or node behind", "[parser][errors]") {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "x = f([((((1 +))))])\n";  // 6 levels each: 360 if they added up
  text += "y = [[[[[[[[[[1]]]]]]]]]]\n";
  Parsed r = parse_text(text);
  std::vector<std::string> errs;
  for (const auto& d : r.diags.all()) errs.push_back(d.message);
  CHECK(errs == std::vector<std::string>(60, "expected an expression after '+'"));
  CHECK(to_text(r.program) == "y = [[[[[[[[[[1]]]]]]]]]]\n");

  // The body's '}' is missing: the message names the body, not a bracket of the failed stage.
  auto body = errors_of("plan p {\n  s1 = f([1, (2 +)])\n  s2 = y\n");
  REQUIRE(body.size() == 2);
  CHECK(body[1].find("expected '}' to close the plan body opened at 1:8") != std::string::npos);
}
