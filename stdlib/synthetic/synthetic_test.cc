#include "stdlib/synthetic/synthetic.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <unistd.h>

#include "runtime/api.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace sftx::rt;

TEST_CASE("every synthetic kind is deterministic for (kind, n, seed) and changes with the seed", "[synthetic]") {
  sftx::testing::TempDir dir_tmp("sftx-synth-determinism");
  const fs::path dir = dir_tmp.path();
  for (const auto& kind : synth::synthetic_kinds()) {
    INFO(kind);
    const auto a = dir / (kind + "_a.jsonl"), b = dir / (kind + "_b.jsonl"), c = dir / (kind + "_c.jsonl"),
               shorter = dir / (kind + "_short.jsonl");
    CHECK(generate_synthetic(kind, 60, 11, a.string()).records == 60);
    generate_synthetic(kind, 60, 11, b.string());
    generate_synthetic(kind, 60, 12, c.string());
    generate_synthetic(kind, 25, 11, shorter.string());
    const std::string sa = sftx::testing::read_file(a);
    CHECK(sa == sftx::testing::read_file(b));
    CHECK(sa != sftx::testing::read_file(c));
    CHECK(sa.rfind(sftx::testing::read_file(shorter), 0) == 0);  // record i does not depend on n
    std::ifstream in(a);
    std::string line;
    int64_t i = 0;
    while (std::getline(in, line)) {
      const Record r = record_from_json(nlohmann::json::parse(line));
      CHECK(r.source == "synthetic:" + kind);
      CHECK(r.origin == "synthetic:" + kind + "#" + std::to_string(i++));
      REQUIRE_FALSE(r.messages.empty());
      for (const auto& m : r.messages) CHECK_FALSE(m.content.empty());
    }
    CHECK(i == 60);
  }
  fs::remove_all(dir);
}

TEST_CASE("generate_synthetic rejects unknown kinds and negative n without creating a file", "[synthetic]") {
  sftx::testing::TempDir dir_tmp("sftx-synth-errors");
  const fs::path dir = dir_tmp.path();
  CHECK_THROWS_WITH(generate_synthetic("poetry", 3, 1, (dir / "x.jsonl").string()),
                    Catch::Contains("unknown synthetic kind \"poetry\"") && Catch::Contains("gsm8k_test"));
  CHECK_THROWS_WITH(generate_synthetic("math", -1, 1, (dir / "x.jsonl").string()), Catch::Contains("n must be >= 0"));
  CHECK_FALSE(fs::exists(dir / "x.jsonl"));
  CHECK(generate_synthetic("math", 0, 1, (dir / "empty.jsonl").string()).records == 0);
  CHECK(fs::file_size(dir / "empty.jsonl") == 0);
  fs::remove_all(dir);
}

TEST_CASE("synthetic training kinds are varied", "[synthetic]") {
  std::set<int64_t> math_templates, code_families;
  std::set<std::string> questions, code_requests, topics, first_user, instruction_ids;
  int instructed = 0;
  std::set<int> turn_counts;
  for (int64_t i = 0; i < 600; ++i) {
    const Record m = synth::math_record(5, i);
    math_templates.insert(m.meta["template"].get<int64_t>());
    questions.insert(m.messages[0].content);
    const Record c = synth::code_record(5, i);
    code_families.insert(c.meta["family"].get<int64_t>());
    code_requests.insert(c.messages[0].content);
    const Record g = synth::general_record(5, i);
    topics.insert(g.meta["topic"].get<std::string>());
    first_user.insert(g.messages[g.messages[0].role == "system" ? 1 : 0].content);
    turn_counts.insert(g.meta["turns"].get<int>());
    if (g.meta.contains("instruction_id_list")) {
      ++instructed;
      for (const auto& id : g.meta["instruction_id_list"]) instruction_ids.insert(id.get<std::string>());
    }
  }
  CHECK(math_templates.size() == static_cast<size_t>(synth::math_template_count()));
  CHECK(synth::math_template_count() >= 15);
  CHECK(questions.size() >= 195);  // 600 records = 200 questions x 3 reasoning paths; rare repeats by chance
  CHECK(code_families.size() == static_cast<size_t>(synth::code_family_count()));
  CHECK(synth::code_family_count() >= 20);
  CHECK(code_requests.size() > 400);
  CHECK(topics.size() >= 17);
  CHECK(topics.count("coding help") == 1);
  CHECK(topics.count("math help") == 1);
  CHECK(first_user.size() > 300);
  CHECK(turn_counts == std::set<int>{1, 2, 3, 4});
  CHECK(instructed > 120);
  CHECK(instructed < 300);
  CHECK(instruction_ids.size() == 14);  // every instruction kind occurs
}
