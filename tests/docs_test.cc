// Every ```sftx block in README.md and under docs/ must pass `sftx check`, so the docs cannot
// drift from the code.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
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
