// Every ```sftx block in README.md and under docs/ must pass `sftx check`, and the command-line
// reference in docs/language.md names exactly the options the commands take, so the docs cannot
// drift from the code.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/test_support.h"

namespace fs = std::filesystem;

namespace {

struct Block {
  std::string file;
  int line;  // where the block's code starts in the markdown file
  std::string code;
};

std::vector<Block> sftx_blocks(const fs::path& markdown) {
  std::ifstream in(markdown);
  std::vector<Block> blocks;
  std::string line;
  int number = 0;
  bool inside = false;
  Block current;
  while (std::getline(in, line)) {
    ++number;
    if (!inside && line.rfind("```sftx", 0) == 0) {
      inside = true;
      current = Block{markdown.string(), number + 1, ""};
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
      blocks.push_back(current);
    } else if (inside) {
      current.code += line + "\n";
    }
  }
  return blocks;
}

// Runs a shell command, returning its exit status and combined output.
int run(const std::string& command, std::string& output) {
  auto r = sftx::testing::run_command(command + " 2>&1");
  output = std::move(r.out);
  return r.status;
}

}  // namespace

TEST_CASE("every sftx example in README.md and docs/ passes sftx check", "[docs]") {
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  const fs::path root = SFTX_SOURCE_DIR;
  const fs::path work = fs::temp_directory_path() / ("sftx-docs-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  // Examples read small data files by relative path ("data/gsm8k.jsonl").
  fs::create_directory_symlink(root / "tests/data/docs", work / "data");
  // The contract example in docs/language.md imports a file beside it.
  fs::create_symlink(root / "tests/data/docs/paper_data.sftx", work / "paper_data.sftx");

  std::vector<fs::path> pages = {root / "README.md"};
  for (const auto& entry : fs::recursive_directory_iterator(root / "docs"))
    if (entry.path().extension() == ".md") pages.push_back(entry.path());

  int checked = 0;
  for (const auto& page : pages) {
    for (const auto& block : sftx_blocks(page)) {
      const fs::path file = work / ("example" + std::to_string(checked++) + ".sftx");
      std::ofstream(file) << block.code;
      std::string output;
      int status = run(std::string(bin) + " check " + file.string(), output);
      INFO(block.file << ":" << block.line << "\n" << block.code << "\n--- sftx check said:\n" << output);
      CHECK(status == 0);
      CHECK(output.find("error:") == std::string::npos);
    }
  }
  CHECK(checked >= 10);
  fs::remove_all(work);
}

namespace {

// The options `sftx ARGS --help` lists (CLI11's own table of the command), each with its names:
// {"-o", "--output"} or {"--stats"}.
std::vector<std::set<std::string>> accepted_options(const std::string& bin, const std::string& args) {
  std::string help;
  REQUIRE(run(bin + " " + args + " --help", help) == 0);
  std::vector<std::set<std::string>> out;
  static const std::regex option(R"(^\s+(-[a-z],)?(--[a-z][a-z0-9-]*))");
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, option) || m[2].str() == "--help") continue;
    std::set<std::string> names = {m[2].str()};
    if (m[1].matched) names.insert(m[1].str().substr(0, 2));
    out.push_back(names);
  }
  return out;
}

// The subcommands `sftx ARGS --help` lists under "Subcommands:".
std::vector<std::string> subcommands(const std::string& bin, const std::string& args) {
  std::string help;
  REQUIRE(run(bin + " " + args + " --help", help) == 0);
  std::vector<std::string> out;
  static const std::regex entry(R"(^  ([a-z][a-z0-9-]*)\s{2,})");
  bool inside = false;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Subcommands:", 0) == 0) inside = true;
    else if (!line.empty() && line[0] != ' ') inside = false;
    std::smatch m;
    if (inside && std::regex_search(line, m, entry)) out.push_back(m[1]);
  }
  return out;
}

}  // namespace

// docs/language.md's "Command line" section against the commands' own option tables: every
// option it writes after `sftx COMMAND` is one that command (or one of its subcommands) takes,
// and every option a command takes is written there, so the page and --help cannot drift.
TEST_CASE("the command line section of docs/language.md names every option of every command, and no other",
          "[docs][cli]") {
  const char* bin_env = std::getenv("SFTX_BIN");
  REQUIRE(bin_env != nullptr);
  const std::string bin = bin_env;
  std::ifstream in(fs::path(SFTX_SOURCE_DIR) / "docs" / "language.md");
  std::string section;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == "## Command line";
    else if (inside) section += line + "\n";
  }
  REQUIRE_FALSE(section.empty());

  const std::vector<std::string> commands = subcommands(bin, "");
  REQUIRE(commands.size() >= 8);
  // Each `sftx COMMAND` starts a span that runs to the next one; the options in it are COMMAND's.
  std::map<std::string, std::set<std::string>> documented;
  static const std::regex mention(R"(sftx ([a-z]+))");
  static const std::regex option(R"((^|[^A-Za-z0-9_-])(--?[a-z][a-z0-9-]*))");
  std::vector<std::pair<std::string, size_t>> spans;
  for (auto it = std::sregex_iterator(section.begin(), section.end(), mention); it != std::sregex_iterator(); ++it)
    spans.emplace_back((*it)[1].str(), static_cast<size_t>(it->position(0)));
  for (size_t i = 0; i < spans.size(); ++i) {
    const size_t end = i + 1 < spans.size() ? spans[i + 1].second : section.size();
    const std::string text = section.substr(spans[i].second, end - spans[i].second);
    std::set<std::string>& options = documented[spans[i].first];  // a command without options too
    for (auto it = std::sregex_iterator(text.begin(), text.end(), option); it != std::sregex_iterator(); ++it)
      options.insert((*it)[2].str());
  }
  for (const auto& command : commands) {
    INFO("sftx " << command);
    std::vector<std::set<std::string>> accepted = accepted_options(bin, command);
    for (const auto& sub : subcommands(bin, command))
      for (auto& names : accepted_options(bin, command + " " + sub)) accepted.push_back(names);
    CHECK(documented.count(command) == 1);  // the section describes the command at all
    std::set<std::string> any_name;
    for (const auto& names : accepted) any_name.insert(names.begin(), names.end());
    for (const auto& o : documented[command]) {
      INFO("in docs/language.md, not accepted: " << o);
      CHECK(any_name.count(o) == 1);
    }
    for (const auto& names : accepted) {
      INFO("accepted, not in docs/language.md: " << *names.rbegin());
      CHECK(std::any_of(names.begin(), names.end(), [&](const std::string& n) { return documented[command].count(n); }));
    }
  }
}
