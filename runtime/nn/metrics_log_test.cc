#include "runtime/nn/metrics_log.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <catch2/catch.hpp>

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {
std::vector<nlohmann::json> read_lines(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);) out.push_back(nlohmann::json::parse(l));
  return out;
}
}  // namespace

TEST_CASE("the metrics log truncates fresh runs and drops steps a resumed run redoes", "[metrics]") {
  fs::path p = fs::temp_directory_path() / ("sftx-metrics-" + std::to_string(::getpid()) + ".jsonl");
  {
    MetricsLog log(p.string(), -1);
    for (int s = 1; s <= 5; ++s) log.write({{"step", s}, {"loss", 5.0 - s}});
  }
  { std::ofstream(p, std::ios::app) << "{\"step\": 6, \"lo"; }  // cut short by a SIGKILL
  {
    MetricsLog log(p.string(), 3);  // the state saved at step 3
    log.write({{"step", 4}, {"loss", 0.5}});
  }
  auto lines = read_lines(p);
  REQUIRE(lines.size() == 4);
  CHECK(lines[2]["step"] == 3);
  CHECK(lines[3]["loss"] == 0.5);
  { MetricsLog log(p.string(), -1); }
  CHECK(read_lines(p).empty());
  fs::remove(p);
}
