// The command line: options after subcommands and positionals are accepted everywhere (never a
// usage error, exit 2), and a parent's options after its subcommand (`sftx cache verify --cache DIR`).
#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;

namespace {

const char* kProgram = R"(math = synthetic("math", n = 20, seed = 1)
plan p { stage1 = math }
experiment x { base = model("llama", preset = "nano"); plans = [p]; eval = [perplexity(math)] }
)";

}  // namespace

TEST_CASE("cli: options after a subcommand and its positionals are options, everywhere", "[cli]") {
  RunProject p;
  p.write("x.sftx", kProgram);
  const std::string elsewhere = (p.dir() / "elsewhere-cache").string();
  for (const std::string& args : {
           std::string("check x.sftx --profile tiny"),
           std::string("plan x.sftx x --profile tiny --json"),
           std::string("graph x.sftx --profile tiny"),
           std::string("data x.sftx math --profile tiny --stats"),
           "cache ls --cache " + elsewhere,
           "cache verify --cache " + elsewhere,
           "cache gc --older-than 30 --dry-run --cache " + elsewhere,
           "cache --cache " + elsewhere + " verify",
       }) {
    CommandResult r = p.sftx(args);
    INFO("sftx " << args << "\nstderr:\n" << r.err);
    CHECK(r.rc == 0);
  }
}

TEST_CASE("cli: --cache after `cache verify` is the cache that is verified", "[cli]") {
  RunProject p;
  p.write("x.sftx", kProgram);
  const std::string elsewhere = (p.dir() / "elsewhere-cache").string();
  REQUIRE(p.sftx("data x.sftx math --profile tiny --cache " + elsewhere + " -o math.jsonl").rc == 0);
  CommandResult r = p.sftx("cache verify --cache " + elsewhere);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  // The objects `sftx data` built there were verified, not the empty default cache beside sftx.toml.
  CHECK(r.out.find("0 object(s) verified") == std::string::npos);
  CHECK(r.out.find("object(s) verified, 0 corrupt") != std::string::npos);
}

TEST_CASE("cli: an unknown option is still a usage error after a subcommand", "[cli]") {
  RunProject p;
  CommandResult r = p.sftx("cache verify --cahce somewhere");
  CHECK(r.rc == 2);
}
