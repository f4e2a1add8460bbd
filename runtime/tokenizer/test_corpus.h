// Test helper (header only, used by the *_test.cc files here): a small JSONL corpus written to a
// temporary directory, and a tokenizer trained on it once per test binary.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"

namespace sftx::rt::testing {

// A fresh directory under /tmp, removed when the test process exits.
inline std::filesystem::path scratch_dir(const std::string& name) {
  static std::vector<std::filesystem::path>* made = [] {
    static std::vector<std::filesystem::path> dirs;
    std::atexit([] {
      std::error_code ec;
      for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    });
    return &dirs;
  }();
  auto d = std::filesystem::temp_directory_path() / ("sftx_tok_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  made->push_back(d);
  return d;
}

// Conversations about arithmetic, code and everyday topics: enough text for a 400-piece BPE.
inline std::string write_corpus(const std::filesystem::path& dir) {
  const char* topics[] = {"cooking pasta", "a trip to Lisbon", "learning the violin", "a garden in spring",
                          "saving money",  "the Roman empire", "writing a letter",    "running a marathon"};
  const char* verbs[] = {"explain", "describe", "summarise", "compare", "plan"};
  const std::string path = (dir / "corpus.jsonl").string();
  std::ofstream out(path);
  for (int i = 0; i < 600; ++i) {
    const int a = 3 + (i * 7) % 91, b = 2 + (i * 13) % 17;
    nlohmann::json user, asst;
    if (i % 3 == 0) {
      user = "Tom has " + std::to_string(a) + " apples and buys " + std::to_string(b) + " more. How many now?";
      asst = "Tom has " + std::to_string(a) + " + " + std::to_string(b) + " = " + std::to_string(a + b) +
             " apples.\n#### " + std::to_string(a + b);
    } else if (i % 3 == 1) {
      user = "Write a Python function that returns the sum of a list times " + std::to_string(b) + ".";
      asst = "def scaled_sum(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total * " +
             std::to_string(b) + "\n";
    } else {
      user = std::string("Please ") + verbs[i % 5] + " " + topics[i % 8] + " in a few sentences.";
      asst = std::string("Sure. When it comes to ") + topics[(i + 3) % 8] +
             ", the most important thing is patience. Start small, keep notes, and enjoy it.";
    }
    out << nlohmann::json{{"messages", {{{"role", "user"}, {"content", user}}, {{"role", "assistant"}, {"content", asst}}}},
                          {"source", "test"},
                          {"origin", "test#" + std::to_string(i)}}
               .dump()
        << "\n";
  }
  return path;
}

// A 400-piece BPE model trained on write_corpus(), built once per process.
inline const std::string& shared_model_path() {
  static const std::string path = [] {
    const auto dir = scratch_dir("shared_model");
    const std::string corpus = write_corpus(dir);
    const std::string model = (dir / "tok.model").string();
    TokenizerSpec spec;
    spec.vocab_size = 400;
    spec.seed = 1;
    build_tokenizer(spec, {corpus}, model);
    return model;
  }();
  return path;
}

}  // namespace sftx::rt::testing
