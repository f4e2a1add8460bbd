// `sftx data` end to end: the built binary on tests/data/formats/data_cli.sftx.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace fs = std::filesystem;

namespace {

const char* kFile = "tests/data/formats/data_cli.sftx";

using Run = sftx::testing::CommandOutput;

Run sftx_data(const std::string& args, bool merge_stderr = false) {
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  // A private cache, so the test leaves nothing beside the test data.
  static const fs::path cache = fs::temp_directory_path() / ("sftx_data_cli_cache_" + std::to_string(::getpid()));
  return sftx::testing::run_command(std::string(bin) + " data " + kFile + " " + args + " --cache " + cache.string() +
                                    (merge_stderr ? " 2>&1" : " 2>/dev/null"));
}

std::vector<nlohmann::json> lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("sftx data prints a named source as records in the messages shape", "[data]") {
  Run r = sftx_data("alpaca");
  REQUIRE(r.status == 0);
  auto recs = lines(r.out);
  REQUIRE(recs.size() == 3);
  CHECK(recs[1]["messages"][0]["role"] == "user");
  CHECK(recs[1]["messages"][0]["content"] == "Translate the sentence into French.\n\nThe cat sleeps.");
  CHECK(recs[1]["messages"][1]["content"] == "Le chat dort.");
  CHECK(recs[1]["origin"].get<std::string>().find("alpaca.jsonl:2") != std::string::npos);
}

TEST_CASE("sftx data evaluates an expression exactly and writes -o", "[data]") {
  fs::path out = fs::temp_directory_path() / "sftx_data_cli_test_half.jsonl";
  fs::remove(out);
  Run r = sftx_data("\"1/2 * mix(alpaca, sharegpt)\" -o " + out.string());
  REQUIRE(r.status == 0);
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  CHECK(lines(ss.str()).size() == 2);  // floor(5 / 2)
  fs::remove(out);
}

TEST_CASE("sftx data --stats reports counts, sources and removals", "[data]") {
  Run r = sftx_data("general --stats -o /dev/null", true);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("records: 4") != std::string::npos);  // the Python request is tagged code
  CHECK(r.out.find("1 removed: exclude_tags code") != std::string::npos);
  CHECK(r.out.find("p50") != std::string::npos);
  CHECK(r.out.find("tokens") != std::string::npos);
}

TEST_CASE("sftx data stops on a malformed line with PATH:LINE, or skips and counts", "[data]") {
  Run bad = sftx_data("broken", true);
  CHECK(bad.status == 1);
  CHECK(bad.out.find("malformed_alpaca.jsonl:2: missing field \"output\" (format alpaca)") != std::string::npos);
  Run skip = sftx_data("tolerant --stats -o /dev/null", true);
  CHECK(skip.status == 0);
  CHECK(skip.out.find("3 malformed lines skipped") != std::string::npos);
  CHECK(sftx_data("no_such_name").status == 1);
}

TEST_CASE("sftx data: a FILE that is not a .sftx file is refused by name, not through the wrapper program", "[data]") {
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  // A data file where the .sftx file belongs: the mistake a first use makes.
  Run r = sftx::testing::run_command(std::string(bin) + " data tests/data/formats/alpaca.jsonl alpaca 2>&1");
  INFO(r.out);
  CHECK(r.status == 1);
  CHECK(r.out.rfind("tests/data/formats/alpaca.jsonl: error: sftx data reads the definitions of a .sftx file", 0) == 0);
  CHECK(r.out.find("help: name the data in a .sftx file") != std::string::npos);
  // Not the `use` line of the program EXPR is evaluated in, nor its follow-on errors.
  CHECK(r.out.find("<expr>") == std::string::npos);
  CHECK(r.out.find("__sftx_data_plan__") == std::string::npos);
}

TEST_CASE("sftx data -o: a full device is exit 3 with a clear message", "[data][hostile]") {
  Run r = sftx_data("alpaca -o /dev/full", true);
  CHECK(r.status == 3);
  CHECK(r.out.find("cannot write /dev/full: No space left on device") != std::string::npos);
}

TEST_CASE("sftx data -o on a full disk: exit 3, the reason, and no partial file", "[data][hostile][disk_full]") {
  // A real full disk: -o on a 64 KiB tmpfs in a user and mount namespace (unshare -r -m, no root
  // needed), and about 100 KiB of records. The message gave a stale errno before the reason
  // ("Not a directory (...: No space left on device)").
  const fs::path dir = fs::temp_directory_path() / ("sftx_data_cli_full_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  if (sftx::testing::run_command("unshare -r -m sh -c 'mount -t tmpfs -o size=64k tmpfs " + dir.string() +
                                 "' 2>/dev/null").status != 0) {
    WARN("skipped: unshare -r -m cannot mount a tmpfs here (no user namespaces)");
    fs::remove_all(dir);
    return;
  }
  {
    std::ofstream big(dir / "big.jsonl");
    for (int i = 0; i < 500; ++i)
      big << nlohmann::json{{"instruction", "question " + std::to_string(i) + " " + std::string(200, 'x')},
                            {"input", ""},
                            {"output", "answer"}}
                 .dump()
          << "\n";
    std::ofstream(dir / "big.sftx") << "big = jsonl(\"big.jsonl\", format = \"alpaca\")\n";
  }
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  const fs::path disk = dir / "disk";
  fs::create_directories(disk);
  const std::string out = (disk / "out.jsonl").string();
  const std::string script = "mount -t tmpfs -o size=64k tmpfs " + disk.string() + " && " + bin + " data " +
                             (dir / "big.sftx").string() + " big -o " + out + " --cache " + (dir / "cache").string() +
                             " 2>&1; echo status $?; ls -A " + disk.string();
  auto r = sftx::testing::run_command("unshare -r -m sh -c '" + script + "'");
  INFO(r.out);
  CHECK(r.out.find("sftx data: cannot write " + out +
                   ": No space left on device; no partial file is left under that name\n") != std::string::npos);
  CHECK(r.out.find("status 3\n") != std::string::npos);
  // `ls -A` of the full disk printed nothing after the status: no out.jsonl, no temporary.
  CHECK(r.out.substr(r.out.find("status 3\n") + 9).empty());
  fs::remove_all(dir);
}

TEST_CASE("sftx data -o: an input of the expression or FILE itself is refused, untouched", "[data][hostile]") {
  auto content = [](const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  const fs::path input = "tests/data/formats/alpaca.jsonl";
  const std::string before = content(input);
  Run r = sftx_data("\"mix(alpaca, sharegpt)\" -o " + input.string(), true);
  CHECK(r.status == 1);
  CHECK(r.out.find("refusing to write " + input.string() + ": it is an input of the expression") != std::string::npos);
  CHECK(content(input) == before);

  const std::string program = content(kFile);
  Run r2 = sftx_data("alpaca -o " + std::string(kFile), true);
  CHECK(r2.status == 1);
  CHECK(r2.out.find("it is the program file") != std::string::npos);
  CHECK(content(kFile) == program);
}

TEST_CASE("sftx data -o: a complete file appears under the name, and no temporary is left", "[data][hostile]") {
  fs::path dir = fs::temp_directory_path() / ("sftx_data_cli_atomic_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Run r = sftx_data("alpaca -o " + (dir / "out.jsonl").string());
  REQUIRE(r.status == 0);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"out.jsonl"});
  fs::remove_all(dir);
}

TEST_CASE("sftx data: a definition of FILE named like a stage is FILE's, not the program's own stage", "[data]") {
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  // The program EXPR is evaluated in named its stage `stage1`, which hid this definition
  // ("stage 'stage1' refers to itself").
  sftx::testing::TempDir dir("sftx-data-stage-name");
  dir.write("stages.sftx", "stage1 = synthetic(\"general\", n = 3, seed = 1)\n");
  Run r = sftx::testing::run_command(std::string(bin) + " data " + (dir.path() / "stages.sftx").string() +
                                     " stage1 --cache " + (dir.path() / "cache").string() + " 2>&1");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(lines(r.out).size() == 3);
}
