#include "interpreter/front/plan_build.h"

#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>

#include "interpreter/front/plan_print.h"
#include "interpreter/front/plan_test_support.h"

using sftx::testing::TempDir;
using sftx::testing::count_kind;

namespace {

const char* kSweep = R"(
math    = synthetic("math", n = 100, seed = 1)
code    = synthetic("code", n = 100, seed = 2)
general = synthetic("general", n = 100, seed = 3)
base = model("llama", preset = "nano")
defaults { epochs = 2 }
plan mixed_sequential { stage1 = mix(math, code); stage2 = general }
plan dmt(k) {
  stage1 = mix(math, code)
  stage2 = mix(general, k * stage1.data)
}
experiment k_sweep {
  base  = base
  plans = [dmt(k) for k in [1, 1/4, 1/16, 1/64, 1/256]] 
  eval  = [gsm8k(gsm8k_test)]
}
experiment table {
  base  = base
  plans = [mixed_sequential, dmt(1/256)]
  eval  = [gsm8k(gsm8k_test)]
}
)";

sftx::PlanGraph build(const TempDir& dir, const std::string& name, const std::string& text,
                      const std::string& experiment = "") {
  return sftx::testing::build_graph(dir, name, text, experiment);
}

}  // namespace

TEST_CASE("the k sweep trains the shared stage 1 once and one stage 2 per k", "[plan_build]") {
  TempDir dir;
  auto g = build(dir, "sweep.sftx", kSweep, "k_sweep");
  CHECK(count_kind(g, "train") == 6);
  CHECK(count_kind(g, "eval") == 5);
  CHECK(count_kind(g, "report") == 1);
  const auto* stage1 = g.find("dmt(1).stage1");
  REQUIRE(stage1);
  CHECK(stage1->used_by.size() == 5);
  CHECK(g.find("dmt(1/4).stage1") == nullptr);  // it is dmt(1).stage1
  const auto* stage2 = g.find("dmt(1/4).stage2");
  REQUIRE(stage2);
  REQUIRE(stage2->inputs.size() == 2);
  CHECK(stage2->inputs[1] == "dmt(1).stage1");
  CHECK(stage2->provenance["epochs"] == "defaults");
  CHECK(stage2->params["hyper"]["epochs"] == 2);
  CHECK(stage2->params["model"]["preset"] == "nano");
  CHECK(stage2->params["model"]["overrides"]["vocab_size"] == 2000);
  // Its data: mix(general, 1/4 * mix(math, code)), ratio exact.
  const auto* scale = g.find("1/4 * mix(math, code)");
  REQUIRE(scale);
  CHECK(scale->params["k"] == "1/4");
  // Inputs come before their users.
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    for (const auto& in : g.nodes[i].inputs) {
      bool earlier = false;
      for (std::size_t j = 0; j < i; ++j) earlier |= g.nodes[j].id == in;
      CHECK(earlier);
    }
}

TEST_CASE("mixed sequential's stage 1 and DMT's stage 1 are one node", "[plan_build]") {
  TempDir dir;
  auto g = build(dir, "sweep.sftx", kSweep, "table");
  const auto* ms1 = g.find("mixed_sequential.stage1");
  REQUIRE(ms1);
  CHECK(std::find(ms1->used_by.begin(), ms1->used_by.end(), "dmt(1/256).stage1") != ms1->used_by.end());
  CHECK(count_kind(g, "train") == 3);
  std::string text = sftx::plan_text(g);
  CHECK(text.find("(shared with mixed_sequential.stage1") != std::string::npos);
}

TEST_CASE("two files sharing a stage give it the same key, a changed lr changes only stage 2", "[plan_build]") {
  TempDir dir;
  auto a = build(dir, "a.sftx", kSweep, "k_sweep");
  std::string changed = kSweep;
  changed.replace(changed.find("stage2 = mix(general, k * stage1.data)"),
                  std::string("stage2 = mix(general, k * stage1.data)").size(),
                  "stage2 = mix(general, k * stage1.data) with { lr = 1e-4 }");
  auto b = build(dir, "b.sftx", changed, "k_sweep");
  CHECK(a.find("dmt(1).stage1")->key == b.find("dmt(1).stage1")->key);
  CHECK(a.find("dmt(1/4).stage2")->key != b.find("dmt(1/4).stage2")->key);
  // Where a value comes from is not part of a key: epochs = 2 from defaults or from `with`.
  std::string moved = kSweep;
  moved.replace(moved.find("defaults { epochs = 2 }"), std::string("defaults { epochs = 2 }").size(), "");
  moved.replace(moved.find("stage1 = mix(math, code)\n"), std::string("stage1 = mix(math, code)\n").size(),
                "stage1 = mix(math, code) with { epochs = 2 }\n");
  moved.replace(moved.find("stage2 = mix(general, k * stage1.data)"),
                std::string("stage2 = mix(general, k * stage1.data)").size(),
                "stage2 = mix(general, k * stage1.data) with { epochs = 2 }");
  auto c = build(dir, "c.sftx", moved, "k_sweep");
  CHECK(a.find("dmt(1).stage1")->key == c.find("dmt(1).stage1")->key);
  CHECK(c.find("dmt(1).stage1")->provenance["epochs"] == "with");
}

TEST_CASE("data expressions are normalised", "[plan_build]") {
  TempDir dir;
  auto g = build(dir, "n.sftx", R"(
m = synthetic("math", n = 10)
c = synthetic("code", n = 10)
g = synthetic("general", n = 10)
plan a { stage1 = 1/2 * (1/2 * m) }
plan b { stage1 = m * (1/4) }
plan c2 { stage1 = mix(m, mix(c, g)) }
plan d { stage1 = mix(mix(m, c), g) }
plan e { stage1 = 2 * (1/2 * m) }
experiment x { base = model("llama", preset = "nano"); plans = [a, b, c2, d, e]; eval = [] }
)");
  CHECK(g.find("a.stage1")->key == g.find("a.stage1")->key);
  CHECK(g.find("b.stage1") == nullptr);                 // the same stage as a.stage1
  CHECK(g.find("a.stage1")->used_by.size() == 2);
  CHECK(g.find("1/4 * m"));
  CHECK(g.find("d.stage1") == nullptr);                 // the same as c2.stage1 after flattening
  CHECK(g.find("mix(m, c, g)"));
  CHECK(g.find("2 * (1/2 * m)"));                       // above 1 the nesting stays
}

TEST_CASE("1 * d is d: a plan written with a fraction of 1 shares the stage of the plain one", "[plan_build]") {
  TempDir dir;
  auto g = build(dir, "one.sftx", R"(
m = synthetic("math", n = 10)
c = synthetic("code", n = 10)
plan alone(f) { stage1 = f * m }
plan plain    { stage1 = m }
plan mixed(f) { stage1 = mix(f * m, f * c) }
plan multi    { stage1 = mix(m, c) }
experiment x { base = model("llama", preset = "nano"); plans = [alone(1), plain, mixed(1), multi, alone(1/2)]; eval = [] }
)");
  REQUIRE(g.find("alone(1).stage1"));
  CHECK(g.find("alone(1).stage1")->used_by.size() == 2);  // plain's stage 1 is the same node
  CHECK(g.find("plain.stage1") == nullptr);
  CHECK(g.find("multi.stage1") == nullptr);               // mixed(1)'s stage 1
  CHECK(g.find("1 * m") == nullptr);                      // no data node for the identity
  CHECK(g.find("1/2 * m"));
}

TEST_CASE("plan JSON has the contract's fields and text/dot render every node", "[plan_build]") {
  TempDir dir;
  auto g = build(dir, "sweep.sftx", kSweep);
  auto j = sftx::plan_json(g);
  REQUIRE(j["nodes"].is_array());
  for (const auto& n : j["nodes"]) {
    for (const char* field : {"id", "kind", "label", "key", "inputs", "cached"}) CHECK(n.contains(field));
    CHECK(n["cached"] == false);
  }
  auto cached_all = sftx::plan_json(g, [](const std::string&) { return true; });
  CHECK(cached_all["nodes"][0]["cached"] == true);
  CHECK(j["experiments"].size() == 2);
  std::string dot = sftx::plan_dot(g);
  CHECK(dot.rfind("digraph sftx {", 0) == 0);
  CHECK(std::count(dot.begin(), dot.end(), '\n') > static_cast<long>(g.nodes.size()));
}

TEST_CASE("an unknown experiment name gets did-you-mean", "[plan_build]") {
  TempDir dir;
  sftx::Diagnostics diags;
  auto checked = sftx::check_file(dir.write("s.sftx", kSweep), diags);
  REQUIRE(checked);
  CHECK_FALSE(sftx::build_plan_graph(*checked, "k_swep", diags));
  CHECK(diags.render().find("did you mean 'k_sweep'?") != std::string::npos);
}

TEST_CASE("only_plans keeps those plans, with the keys they have in the whole graph", "[plan_build]") {
  TempDir dir;
  sftx::Diagnostics diags;
  auto checked = sftx::check_file(dir.write("s.sftx", kSweep), diags);
  REQUIRE(checked);
  auto whole = sftx::build_plan_graph(*checked, "k_sweep", diags);
  auto ends = sftx::build_plan_graph(*checked, "k_sweep", diags, {"dmt(1/4)", "dmt(1/256)"});
  INFO(diags.render());
  REQUIRE(whole);
  REQUIRE(ends);
  REQUIRE(ends->experiments.size() == 1);
  CHECK(ends->experiments[0].plans == std::vector<std::string>{"dmt(1/4)", "dmt(1/256)"});
  CHECK(count_kind(*ends, "train") == 3);  // the shared stage 1 and two stage 2s
  CHECK(count_kind(*ends, "eval") == 2);
  CHECK(ends->find("dmt(1/16).stage2") == nullptr);
  for (const char* id : {"dmt(1/4).stage2", "dmt(1/256).stage2", "gsm8k(gsm8k_test) @ dmt(1/4)"}) {
    INFO(id);
    REQUIRE(ends->find(id));
    REQUIRE(whole->find(id));
    CHECK(ends->find(id)->key == whole->find(id)->key);
  }
  // Without an experiment name, a label is looked up in every experiment of the file.
  auto both = sftx::build_plan_graph(*checked, "", diags, {"dmt(1/256)"});
  REQUIRE(both);
  REQUIRE(both->experiments.size() == 2);
  CHECK(both->experiments[0].plans == std::vector<std::string>{"dmt(1/256)"});
  CHECK(both->experiments[1].plans == std::vector<std::string>{"dmt(1/256)"});
}

TEST_CASE("a plan label no chosen experiment has is an error with did-you-mean and the labels", "[plan_build]") {
  TempDir dir;
  sftx::Diagnostics diags;
  auto checked = sftx::check_file(dir.write("s.sftx", kSweep), diags);
  REQUIRE(checked);
  CHECK_FALSE(sftx::build_plan_graph(*checked, "k_sweep", diags, {"dmt(1/128)"}));
  std::string text = diags.render();
  CHECK(text.find("no plan 'dmt(1/128)' in experiment 'k_sweep'") != std::string::npos);
  CHECK(text.find("plans: dmt(1), dmt(1/4), dmt(1/16), dmt(1/64), dmt(1/256)") != std::string::npos);
  sftx::Diagnostics d2;
  CHECK_FALSE(sftx::build_plan_graph(*checked, "k_sweep", d2, {"mixed_sequential"}));  // in `table` only
  CHECK(d2.render().find("no plan 'mixed_sequential'") != std::string::npos);
}

TEST_CASE("hf(dir) tokenises with tokenizer.json when the checkpoint has one", "[plan_build][hf]") {
  TempDir dir;
  const std::string program = R"(
d = synthetic("math", n = 10, seed = 1)
plan p { stage1 = d }
experiment e {
  base  = hf("ckpt")
  plans = [p]
  eval  = [gsm8k(gsm8k_test)]
}
)";
  auto tokenizer_file = [](const sftx::PlanGraph& g) {
    for (const auto& node : g.nodes)
      if (node.op == "tokenizer") return node.params.value("model_file", std::string());
    return std::string();
  };
  dir.write("ckpt/config.json", "{\"vocab_size\": 32}");
  dir.write("ckpt/model.safetensors", sftx::testing::empty_safetensors());
  dir.write("ckpt/tokenizer.model", sftx::testing::sentencepiece_model(20));
  const std::string sp_only = tokenizer_file(build(dir, "a.sftx", program));
  CHECK(sp_only == (dir.path() / "ckpt" / "tokenizer.model").string());
  dir.write("ckpt/tokenizer.json", R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": []}})");
  const auto g = build(dir, "b.sftx", program);
  CHECK(tokenizer_file(g) == (dir.path() / "ckpt" / "tokenizer.json").string());
  // tokenizer_config.json names bos/eos/pad: it is part of the tokenizer node's key.
  std::string key_without, key_with;
  for (const auto& node : g.nodes)
    if (node.op == "tokenizer") key_without = node.key;
  dir.write("ckpt/tokenizer_config.json", R"({"eos_token": "</s>"})");
  for (const auto& node : build(dir, "c.sftx", program).nodes)
    if (node.op == "tokenizer") key_with = node.key;
  CHECK(!key_without.empty());
  CHECK(key_with != key_without);
}

TEST_CASE("template = \"model\": pack and eval read the checkpoint's template, keyed by its content", "[plan_build][hf]") {
  TempDir dir;
  auto program = [](const std::string& ckpt) {
    return "d = synthetic(\"math\", n = 10, seed = 1)\nplan p { stage1 = d with { template = \"model\" } }\n"
           "experiment e { base = hf(\"" + ckpt + "\"); plans = [p]; eval = [perplexity(d)] }\n";
  };
  for (const char* ckpt : {"ckpt", "copy"}) {
    dir.write(std::string(ckpt) + "/config.json", "{\"vocab_size\": 32}");
    dir.write(std::string(ckpt) + "/model.safetensors", sftx::testing::empty_safetensors());
    dir.write(std::string(ckpt) + "/tokenizer.model", sftx::testing::sentencepiece_model(20));
    dir.write(std::string(ckpt) + "/tokenizer_config.json", R"({"chat_template": "{{ messages[0].content }}"})");
  }
  auto node = [](const sftx::PlanGraph& g, const std::string& op) {
    for (const auto& n : g.nodes)
      if (n.op == op) return n;
    FAIL("no " << op << " node");
    return sftx::PlanNode{};
  };
  const auto g = build(dir, "a.sftx", program("ckpt"));
  for (const char* op : {"pack", "perplexity"}) {
    CHECK(node(g, op).params["template"] == "model");
    CHECK(node(g, op).params["chat_template_dir"] == (dir.path() / "ckpt").string());
  }
  // The same files elsewhere pack the same (the key holds the template's content, not its
  // path; training keys name the checkpoint directory); another template: other keys.
  const auto copy = build(dir, "b.sftx", program("copy"));
  CHECK(node(copy, "pack").key == node(g, "pack").key);
  dir.write("copy/chat_template.jinja", "{{ messages[-1].content }}");
  const auto other = build(dir, "c.sftx", program("copy"));
  CHECK(node(other, "pack").key != node(g, "pack").key);
  CHECK(node(other, "perplexity").key != node(g, "perplexity").key);
}

TEST_CASE("a data source that is not a regular file is an error at check, and nothing reads it", "[plan_build]") {
  TempDir dir;
  const std::string fifo = (dir.path() / "pipe.jsonl").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& path : {std::string("/dev/zero"), fifo, dir.path().string()}) {
    INFO(path);
    sftx::Diagnostics diags;
    // Reading it would block (FIFO), never end (/dev/zero) or fail (a directory).
    auto checked = sftx::check_file(
        dir.write("x.sftx", "d = jsonl(\"" + path + "\", format = \"alpaca\")\nplan p { stage1 = d }\n"
                            "experiment x { base = model(\"llama\", preset = \"nano\"); plans = [p]; eval = [perplexity(d)] }\n"),
        diags);
    CHECK_FALSE(checked);
    CHECK(diags.render().find("x.sftx:1:11: error: not a regular file: " + path +
                              " (a data file is read from a regular file, not a FIFO, device or directory)") !=
          std::string::npos);
  }
}

TEST_CASE("a stage shared by many plans names a few of them, so the plan text grows linearly", "[plan_build]") {
  TempDir dir;
  std::string ks;
  for (int i = 1; i <= 300; ++i) ks += (i > 1 ? ", 1/" : "1/") + std::to_string(i);
  auto g = build(dir, "wide.sftx",
                 "math = synthetic(\"math\", n = 100)\ngeneral = synthetic(\"general\", n = 100)\n"
                 "plan dmt(k) { stage1 = math; stage2 = mix(general, k * stage1.data) }\n"
                 "experiment x { base = model(\"llama\", preset = \"nano\"); plans = [dmt(k) for k in [" + ks +
                     "]]; eval = [gsm8k(gsm8k_test)] }\n");
  std::string text = sftx::plan_text(g, {});
  CHECK(text.find("(shared with dmt(1/2).stage1, dmt(1/3).stage1, dmt(1/4).stage1, dmt(1/5).stage1 and 295 more)") !=
        std::string::npos);
  // Every plan's stage 1 line names at most four others: no line holds all 300.
  std::istringstream lines(text);
  std::string line;
  size_t longest = 0;
  while (std::getline(lines, line)) longest = std::max(longest, line.size());
  CHECK(longest < 400);
}

TEST_CASE("a metric whose scorer changed carries its version in its eval keys, the others do not", "[plan_build]") {
  TempDir dir;
  auto g = build(dir, "scorers.sftx", R"(
general = synthetic("general", n = 100, seed = 3)
base = model("llama", preset = "nano")
plan p { stage1 = general }
experiment e {
  base  = base
  plans = [p]
  eval  = [gsm8k(gsm8k_test), ifeval(ifeval_test)]
}
)",
                 "e");
  int seen = 0;
  for (const auto& n : g.nodes) {
    if (n.kind != "eval") continue;
    INFO(n.op << ": " << n.description.dump());
    const auto& params = n.description.at("params");
    if (n.op == "ifeval") {
      CHECK(params.at("scorer_version") == 3);  // rt::kIfevalScorerVersion
      CHECK_FALSE(n.params.contains("scorer_version"));  // the key's, not the runtime's parameters
    } else {
      CHECK_FALSE(params.contains("scorer_version"));
    }
    ++seen;
  }
  CHECK(seen == 2);
}
