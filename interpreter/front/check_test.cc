#include "interpreter/front/check.h"

#include <cstdlib>
#include <vector>

#include <catch2/catch.hpp>

#include "grammar/parser.h"
#include "interpreter/front/data_expr.h"
#include "tests/test_support.h"

using sftx::testing::TempDir;

namespace {

struct Result {
  std::optional<sftx::CheckedProgram> program;
  std::string rendered;
  sftx::Diagnostics diags;
};

std::unique_ptr<Result> check(const TempDir& dir, const std::string& text, const std::string& profile = "") {
  auto r = std::make_unique<Result>();
  std::string path = dir.write("main.sftx", text);
  sftx::CheckOptions options;
  options.profile = profile;
  r->program = sftx::check_file(path, r->diags, options);
  r->rendered = r->diags.render();
  return r;
}

bool has(const Result& r, const std::string& needle) { return r.rendered.find(needle) != std::string::npos; }

const char* kGood = R"(
math    = synthetic("math", n = 100, seed = 1)
code    = synthetic("code", n = 100, seed = 2)
general = synthetic("general", n = 100, seed = 3) |> dedup("minhash", threshold = 0.9)
base = model("llama", preset = "nano")
defaults { epochs = 2; lr = 2e-5 }
plan mixed_sequential { stage1 = mix(math, code); stage2 = general }
plan dmt(k) {
  stage1 = mix(math, code)
  stage2 = mix(general, k * stage1.data) with { epochs = 1 }
}
experiment sweep {
  base  = base
  plans = [mixed_sequential] 
  eval  = [gsm8k(gsm8k_test)]
}
experiment k_sweep {
  base  = base
  plans = [dmt(k) for k in [1, 1/4, 1/16]]
  eval  = [gsm8k(gsm8k_test), humaneval(humaneval_test, k = [1, 10])]
}
)";

}  // namespace

TEST_CASE("a correct program checks without diagnostics and expands its experiments", "[check]") {
  TempDir dir;
  auto r = check(dir, kGood);
  INFO(r->rendered);
  REQUIRE(r->program);
  CHECK(r->diags.empty());
  REQUIRE(r->program->experiments.size() == 2);
  const auto& sweep = r->program->experiments[1];
  CHECK(sweep.name == "k_sweep");
  REQUIRE(sweep.plans.size() == 3);
  CHECK(sweep.plans[1]->label == "dmt(1/4)");
  const auto& stage2 = sweep.plans[1]->stages[1];
  CHECK(stage2.hyper.at("epochs").value == 1);
  CHECK(stage2.hyper.at("epochs").provenance == "with");
  CHECK(stage2.hyper.at("lr").provenance == "defaults");
  CHECK(stage2.hyper.at("batch").provenance == "builtin");
  REQUIRE(stage2.data);
  CHECK(stage2.data->op == "mix");
  CHECK(stage2.data->label == "mix(general, 1/4 * mix(math, code))");
  CHECK(sweep.metrics[1]->params["samples"] == 10);
}

TEST_CASE("Model used as Data is an error with help to use .data", "[check]") {
  TempDir dir;
  auto r = check(dir, R"(
math = synthetic("math")
plan p { stage1 = math; stage2 = 1/2 * stage1 }
experiment x { base = model("llama"); plans = [p]; eval = [] }
)");
  CHECK_FALSE(r->program);
  CHECK(has(*r, "main.sftx:3:40: error: expected Data, found a Model: a Model is never Data"));
  CHECK(has(*r, "help: use stage1.data"));
}

TEST_CASE("every error of a file is reported in one pass, each once", "[check]") {
  TempDir dir;
  auto r = check(dir, R"(
math = synthetic("maths")
code = synthetic("code") |> dedup("minhash", treshold = 0.8)
plan dmt(k) { stage1 = mix(math, code); stage2 = mix(genral, k * stage1.data) }
experiment x { base = model("llama", preset = "tiny"); plans = [dmt(1), dmt(1/2), dmt(1, 2)] }
)");
  INFO(r->rendered);
  CHECK_FALSE(r->program);
  CHECK(has(*r, "2:18: error: unknown synthetic kind 'maths'"));
  CHECK(has(*r, "help: did you mean 'math'?"));
  CHECK(has(*r, "3:46: error: unknown keyword 'treshold' for dedup"));
  CHECK(has(*r, "help: did you mean 'threshold'?"));
  CHECK(has(*r, "4:54: error: unknown name 'genral'"));
  CHECK(has(*r, "help: did you mean 'general'?") == false);  // no 'general' defined here
  CHECK(has(*r, "5:47: error: unknown model preset 'tiny'"));
  CHECK(has(*r, "error: plan 'dmt' takes 1 argument, but 2 were given"));
  // The error inside the plan body is reported once although three instances use it.
  std::size_t first = r->rendered.find("unknown name 'genral'");
  CHECK(r->rendered.find("unknown name 'genral'", first + 1) == std::string::npos);
}

TEST_CASE("profiles override defaults and are labelled with their name", "[check]") {
  TempDir dir;
  dir.write("sftx.toml", "[profile.smoke]\npreset = \"nano\"\n[profile.smoke.train]\nepochs = 1\nlr = 1e-3\n"
                         "[profile.smoke.synthetic]\n\"*\" = 50\n");
  auto r = check(dir, kGood, "smoke");
  INFO(r->rendered);
  REQUIRE(r->program);
  const auto& stage1 = r->program->experiments[1].plans[0]->stages[0];
  CHECK(stage1.hyper.at("epochs").provenance == "profile:smoke");
  CHECK(stage1.hyper.at("lr").value.get<double>() == Approx(1e-3));
  CHECK(stage1.data->inputs[0]->params["n"] == 50);
  const auto& stage2 = r->program->experiments[1].plans[0]->stages[1];
  CHECK(stage2.hyper.at("epochs").provenance == "with");  // with beats the profile

  auto unknown = check(dir, kGood, "smok");
  CHECK_FALSE(unknown->program);
  CHECK(has(*unknown, "unknown profile 'smok' in " + (dir.path() / "sftx.toml").string()));
  CHECK(has(*unknown, "did you mean 'smoke'?"));
  CHECK(has(*unknown, "its profiles: smoke"));
}

TEST_CASE("an unknown profile names the sftx.toml read, the nearest above the file", "[check]") {
  TempDir dir;
  dir.write("sftx.toml", "[profile.outer]\npreset = \"nano\"\n");
  dir.write("study/sftx.toml", "[profile.inner]\npreset = \"nano\"\n");
  sftx::Diagnostics diags;
  sftx::CheckOptions options;
  options.profile = "outer";
  CHECK_FALSE(sftx::check_file(dir.write("study/x.sftx", "x = 1\n"), diags, options));
  std::string text = diags.render();
  INFO(text);
  CHECK(text.find("unknown profile 'outer' in " + (dir.path() / "study" / "sftx.toml").string()) != std::string::npos);
  CHECK(text.find("its profiles: inner") != std::string::npos);
  CHECK(text.find("first found from " + (dir.path() / "study").string() + " upwards") != std::string::npos);

  TempDir bare;
  sftx::Diagnostics none;
  CHECK_FALSE(sftx::check_file(bare.write("x.sftx", "x = 1\n"), none, options));
  CHECK(none.render().find("no sftx.toml in " + bare.path().string() + " or any directory above it") != std::string::npos);
}

TEST_CASE("import cycles are reported with the chain", "[check]") {
  TempDir dir;
  dir.write("a.sftx", "use \"b.sftx\"\nx = synthetic(\"math\")\n");
  dir.write("b.sftx", "use \"a.sftx\"\ny = synthetic(\"code\")\n");
  auto r = check(dir, "use \"a.sftx\"\nz = mix(x, y)\n");
  INFO(r->rendered);
  CHECK(has(*r, "error: import cycle: "));
  CHECK(has(*r, "a.sftx -> "));
  CHECK(has(*r, "b.sftx -> "));
}

TEST_CASE("stages can only use earlier stages", "[check]") {
  TempDir dir;
  auto r = check(dir, R"(
m = synthetic("math")
plan p { stage1 = mix(m, stage1.data); stage2 = mix(m, stage3.data); stage3 = m }
)");
  INFO(r->rendered);
  CHECK(has(*r, "error: stage 'stage1' refers to itself"));
  CHECK(has(*r, "error: stage 'stage3' is defined after 'stage2'"));
}

TEST_CASE("unused definitions are warned about when the file has experiments", "[check]") {
  TempDir dir;
  auto r = check(dir, R"(
m = synthetic("math")
unused = synthetic("code")
plan p { stage1 = m }
experiment x { base = model("llama", preset = "nano"); plans = [p]; eval = [] }
)");
  INFO(r->rendered);
  CHECK(r->program);
  CHECK(has(*r, "3:1: warning: 'unused' is defined but never used"));
  CHECK_FALSE(has(*r, "'m' is defined but never used"));
}

TEST_CASE("hostile inputs end in a diagnostic, not a crash or a hang", "[check]") {
  TempDir dir;
  SECTION("a long chain of definitions") {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "a" + std::to_string(i) + " = a" + std::to_string(i + 1) + "\n";
    text += "a2000 = synthetic(\"math\")\n";
    auto r = check(dir, text);
    CHECK_FALSE(r->program);
    CHECK(has(*r, "nested too deeply"));
  }
  SECTION("lists that grow by squaring") {
    std::string text = "l0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
    for (int i = 0; i < 8; ++i)
      text += "l" + std::to_string(i + 1) + " = [l" + std::to_string(i) + " for x in l" + std::to_string(i) + "]\n";
    auto r = check(dir, text);
    CHECK_FALSE(r->program);
    CHECK(has(*r, "lists too large"));
  }
  SECTION("mixes that double at every level stay small") {
    std::string text = "m0 = synthetic(\"math\", n = 10)\n";
    for (int i = 0; i < 60; ++i)
      text += "m" + std::to_string(i + 1) + " = mix(m" + std::to_string(i) + ", m" + std::to_string(i) + ")\n";
    text += "plan p { stage1 = m60 }\nexperiment x { base = model(\"llama\", preset = \"nano\"); plans = [p]; eval = [] }\n";
    auto r = check(dir, text);
    INFO(r->rendered);
    REQUIRE(r->program);
    CHECK(r->program->experiments[0].plans[0]->stages[0].data->inputs.size() <= sftx::kMaxFlatMixInputs);
  }
}

TEST_CASE("synthetic(level = ...) is checked, labelled and enters the key only when not paper", "[check][synthetic]") {
  TempDir dir;
  auto r = check(dir, R"(
a = synthetic("math", n = 10, seed = 1)
b = synthetic("math", n = 10, seed = 1, level = "paper")
c = synthetic("gsm8k_test", n = 10, seed = 1, level = "micro")
plan p { stage1 = mix(a, b) }
experiment x { base = model("llama", preset = "nano"); plans = [p]; eval = [gsm8k(c)] }
)");
  INFO(r->rendered);
  REQUIRE(r->program);
  const auto& mix = r->program->experiments[0].plans[0]->stages[0].data;
  for (const auto& leaf : mix->inputs) {
    CHECK(leaf->params == nlohmann::json{{"kind", "math"}, {"n", 10}, {"seed", 1}});  // as before levels existed
    CHECK(leaf->label == "synthetic(\"math\", n = 10, seed = 1)");
  }
  const auto& test = r->program->experiments[0].metrics[0]->data[0];
  CHECK(test->params["level"] == "micro");
  CHECK(test->label == "synthetic(\"gsm8k_test\", n = 10, seed = 1, level = \"micro\")");

  auto bad = check(dir, R"(
m = synthetic("math", level = "mikro")
t = synthetic("pretrain", level = "micro")
)");
  INFO(bad->rendered);
  CHECK_FALSE(bad->program);
  CHECK(has(*bad, "main.sftx:2:31: error: unknown synthetic level 'mikro'"));
  CHECK(has(*bad, "help: did you mean 'micro'?"));
  CHECK(has(*bad, "main.sftx:3:35: error: synthetic kind 'pretrain' has no level 'micro'"));
  CHECK(has(*bad, "levels of 'pretrain': paper"));
}

TEST_CASE("a profile's synthetic_level switches every synthetic source that has the level", "[check][synthetic]") {
  TempDir dir;
  dir.write("sftx.toml", "[profile.micro]\npreset = \"nano\"\nsynthetic_level = \"micro\"\n");
  const char* text = R"(
math = synthetic("math", n = 10, seed = 1, level = "paper")
code = synthetic("code", n = 10, seed = 2)
text = synthetic("pretrain", n = 10, seed = 3)
plan p { stage1 = mix(math, code, text) }
experiment x { base = model("llama"); plans = [p]; eval = [] }
)";
  auto r = check(dir, text, "micro");
  INFO(r->rendered);
  REQUIRE(r->program);
  const auto& plan = *r->program->experiments[0].plans[0];
  const auto& inputs = plan.stages[0].data->inputs;
  REQUIRE(inputs.size() == 3);
  CHECK(inputs[0]->params["level"] == "micro");  // the profile replaces a written level
  CHECK(inputs[1]->params["level"] == "micro");
  CHECK_FALSE(inputs[2]->params.contains("level"));  // pretrain has only the paper level
  // The tokenizer's corpus is pretraining text: unchanged.
  CHECK_FALSE(r->program->experiments[0].base->tokenizer->data->params.contains("level"));

  auto plain = check(dir, text);
  REQUIRE(plain->program);
  CHECK_FALSE(plain->program->experiments[0].plans[0]->stages[0].data->inputs[1]->params.contains("level"));
}

TEST_CASE("check_parsed of a parsed text gives what check_text gives", "[check]") {
  TempDir dir;
  dir.write("lib.sftx", "shared = synthetic(\"math\", n = 10, seed = 1)\n");
  const std::vector<std::string> texts = {
      kGood,
      "use \"lib.sftx\"\nx = shared\n",             // an import, resolved against the directory
      "use \"missing.sftx\"\n",                      // a name-level error from loading
      "x = synthetic(\"math\", n = 10\n",            // a syntax error: nothing is checked
      "x = undefined_name\ny = jsonl(\"no.jsonl\")\n",  // check errors
      "plan p { stage1 = gsm8k_test }\nexperiment e { base = model(\"llama\", preset = \"nano\"); plans = [p] }\n",
  };
  for (const auto& text : texts) {
    INFO(text);
    sftx::Diagnostics by_text;
    auto checked_text = sftx::check_text("main.sftx", text, dir.path(), by_text);

    sftx::SourceFile source("main.sftx", text);
    sftx::Diagnostics by_parsed;
    auto program = sftx::parse(source, by_parsed);
    REQUIRE(program);
    bool had_syntax_errors = by_parsed.error_count() > 0;
    auto checked_parsed =
        sftx::check_parsed(std::move(source), std::move(*program), had_syntax_errors, dir.path(), by_parsed);

    CHECK(checked_parsed.has_value() == checked_text.has_value());
    CHECK(by_parsed.error_count() == by_text.error_count());
    CHECK(by_parsed.render() == by_text.render());
    if (checked_text && checked_parsed) CHECK(checked_parsed->experiments.size() == checked_text->experiments.size());
  }
}

TEST_CASE("the prelude's kept parse follows an edited or broken prelude", "[check]") {
  TempDir dir;
  const char* before = std::getenv("SFTX_PRELUDE");
  std::string saved = before ? before : "";
  std::string prelude = dir.write("prelude.sftx", "p_one = synthetic(\"math\", n = 10, seed = 1)\n");
  ::setenv("SFTX_PRELUDE", prelude.c_str(), 1);
  auto checks = [&](const std::string& text) {
    sftx::Diagnostics diags;
    bool ok = sftx::check_text("main.sftx", text, dir.path(), diags).has_value();
    INFO(diags.render());
    return ok;
  };
  CHECK(checks("x = p_one\n"));
  CHECK(checks("x = p_one\n"));  // the kept parse
  // The same size, another name: the text is compared, not only its length.
  dir.write("prelude.sftx", "p_two = synthetic(\"math\", n = 10, seed = 1)\n");
  CHECK(checks("x = p_two\n"));
  CHECK_FALSE(checks("x = p_one\n"));
  // A prelude with a syntax error is never kept: every check reports it.
  dir.write("prelude.sftx", "p_two = synthetic(\"math\", n = 10\n");
  for (int i = 0; i < 2; ++i) {
    sftx::Diagnostics diags;
    CHECK_FALSE(sftx::check_text("main.sftx", "x = 1\n", dir.path(), diags));
    CHECK(diags.render().find("prelude.sftx") != std::string::npos);
  }
  if (before) ::setenv("SFTX_PRELUDE", saved.c_str(), 1); else ::unsetenv("SFTX_PRELUDE");
}
