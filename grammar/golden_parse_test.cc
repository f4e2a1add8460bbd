// Checks tests/golden/parse_*.sftx against the parser alone: each `# expect error: L:C: MSG`
// annotation must be reported, and no other error. (tests/golden_test.cc runs the same files
// through `sftx check`, which adds the checker and the exit status.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "grammar/parser.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> annotations(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  const std::string marker = "# expect error: ";
  while (std::getline(in, line)) {
    auto pos = line.find(marker);
    if (pos != std::string::npos) out.push_back(line.substr(pos + marker.size()));
  }
  return out;
}

}  // namespace

TEST_CASE("golden parse-error files: every annotated error and no other", "[golden]") {
  fs::path dir = fs::path(SFTX_SOURCE_DIR) / "tests" / "golden";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("parse_", 0) == 0 && entry.path().extension() == ".sftx") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 20);
  for (const auto& path : files) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    sftx::Diagnostics diags;
    sftx::parse(sftx::SourceFile(path.string(), text), diags);
    std::vector<std::string> got;
    for (const auto& d : diags.all())
      if (d.severity == sftx::Severity::error)
        got.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
    std::vector<std::string> want = annotations(text);
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    INFO(path.filename().string() << "\n" << diags.render());
    CHECK_FALSE(want.empty());
    CHECK(got == want);
  }
}
