#include "stdlib/builtins.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

TEST_CASE("the built-in table has the contract's functions with sane parameters", "[builtins]") {
  for (const char* name : {"jsonl", "json", "synthetic", "filter", "dedup", "decontaminate", "tag", "split", "take",
                           "sample", "mix", "model", "hf", "sentencepiece", "lora", "freeze", "gsm8k", "humaneval",
                           "ifeval", "perplexity", "mtbench", "tsne"})
    CHECK(sftx::find_builtin(name));
  for (const auto& f : sftx::builtin_functions()) {
    INFO(f.name);
    std::set<std::string> names;
    bool seen_keyword_only = false;
    for (const auto& p : f.params) {
      CHECK(names.insert(p.name).second);
      CHECK_FALSE(p.types.empty());
      if (!p.positional) seen_keyword_only = true;
      // positional parameters come before keyword-only ones
      if (p.positional) CHECK_FALSE(seen_keyword_only);
      // a parameter with a default is not also required
      if (p.required) CHECK(p.default_value.is_null());
    }
  }
  CHECK(sftx::find_builtin("dedup")->synopsis().rfind("dedup(data, method", 0) == 0);
  CHECK(sftx::find_builtin("filter")->transform);
  CHECK_FALSE(sftx::find_builtin("model")->transform);
}

TEST_CASE("metric built-ins are exactly the known metrics", "[builtins]") {
  for (const auto& m : sftx::known_metrics()) {
    const auto* f = sftx::find_builtin(m);
    REQUIRE(f);
    CHECK(f->result == sftx::Type::metric);
  }
}

TEST_CASE("preset vocabularies agree with stdlib/presets when they are there", "[builtins]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(SFTX_SOURCE_DIR) / "stdlib" / "presets";
  for (const auto& p : sftx::known_presets()) {
    fs::path file = dir / (p.name + ".toml");
    if (!fs::exists(file)) continue;
    std::ifstream in(file);
    std::string line;
    bool found = false;
    while (std::getline(in, line)) {
      auto pos = line.find("vocab_size");
      if (pos != 0) continue;
      auto eq = line.find('=');
      REQUIRE(eq != std::string::npos);
      CHECK(std::stoi(line.substr(eq + 1)) == p.vocab_size);
      found = true;
    }
    INFO(file);
    CHECK(found);
  }
}
