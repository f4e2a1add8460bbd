// Train and held-out synthetic sets share no text: decontaminate (runtime/data, 13-gram
// overlap or equality after normalisation, the GPT-3/Llama recipe) removes nothing from the
// training kinds when the held-out kinds are the benchmarks.
#include <catch2/catch.hpp>

#include <filesystem>

#include <unistd.h>

#include "runtime/api.h"
#include "stdlib/synthetic/synthetic.h"

namespace fs = std::filesystem;
using namespace sftx::rt;

TEST_CASE("synthetic training data does not overlap the held-out test sets", "[synthetic][decontaminate]") {
  const fs::path dir = fs::temp_directory_path() / ("sftx_synth_overlap_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto gen = [&](const std::string& kind, int64_t n) {
    const std::string p = (dir / (kind + ".jsonl")).string();
    generate_synthetic(kind, n, 1, p);
    return p;
  };
  const std::vector<std::string> tests = {gen("gsm8k_test", 300), gen("humaneval_test", 150), gen("ifeval_test", 300)};
  for (const auto& [kind, n] : std::vector<std::pair<std::string, int64_t>>{
           {"math", 900}, {"code", 900}, {"general", 900}, {"pretrain", 600}}) {
    INFO(kind);
    std::vector<std::string> inputs = {gen(kind, n)};
    inputs.insert(inputs.end(), tests.begin(), tests.end());
    const DataStats st = apply_transform("decontaminate", nlohmann::json::object(), inputs,
                                         (dir / (kind + "_clean.jsonl")).string(), 0);
    INFO(st.details.dump(1));
    CHECK(st.removed == 0);
    CHECK(st.records == n);
  }
  // The check can fail: a test set decontaminated against itself loses every record.
  for (const auto& t : tests) {
    const DataStats self = apply_transform("decontaminate", nlohmann::json::object(), {t, t}, (dir / "self.jsonl").string(), 0);
    CHECK(self.records == 0);
    CHECK(self.removed > 0);
  }
  fs::remove_all(dir);
}
