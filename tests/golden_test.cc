// Golden diagnostics: `sftx check` on every tests/golden/*.sftx (or `sftx data`, below).
//
// Each file carries its expectations as comments:
//   # expect error: LINE:COL: MESSAGE          (in this file)
//   # expect warning: LINE:COL: MESSAGE
//   # expect error: lib/other.sftx:LINE:COL: MESSAGE   (in another file, relative to tests/golden)
//   # expect error: $GOLDEN/profiles/sftx.toml: MESSAGE  (about a whole file, named absolutely)
//   # expect error: <expr>:LINE:COL: MESSAGE   (in the EXPR of `# data:`)
//   # args: --profile smok                     (more arguments for `sftx check`)
//   # data: EXPR                               (run `sftx data FILE 'EXPR'` instead of check)
// Each must appear in stderr as `PATH:LINE:COL: error: MESSAGE` (PATH as given on the command
// line); no error without an annotation may appear; the exit status is 1 when errors are
// expected and 0 otherwise. A file NAME.expected beside NAME.sftx holds the complete expected
// stderr (caret rendering included), compared exactly; `$GOLDEN` in it stands for the absolute
// path of tests/golden (errors about sftx.toml name it so). The files of tests/golden/profiles/
// are checked too: that folder's sftx.toml is the one they read.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace {

const char* kGoldenDir = "tests/golden";

struct Expectation {
  std::string severity;  // error | warning
  std::string text;      // PATH:LINE:COL: SEVERITY: MESSAGE
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string with_golden_dir(std::string text);

std::vector<Expectation> expectations(const std::string& rel_path, const std::string& text) {
  static const std::regex here(R"(^\s*#\s*expect (error|warning): (\d+:\d+): (.*?)\s*$)");
  static const std::regex elsewhere(R"(^\s*#\s*expect (error|warning): ([^:\s]+\.sftx):(\d+:\d+): (.*?)\s*$)");
  static const std::regex whole_file(R"(^\s*#\s*expect (error|warning): (\$GOLDEN/[^:\s]+): (.*?)\s*$)");
  static const std::regex in_expr(R"(^\s*#\s*expect (error|warning): <expr>:(\d+:\d+): (.*?)\s*$)");
  std::vector<Expectation> out;
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, in_expr)) {
      out.push_back({m[1], "<expr>:" + m[2].str() + ": " + m[1].str() + ": " + m[3].str()});
    } else if (std::regex_match(line, m, whole_file)) {
      out.push_back({m[1], with_golden_dir(m[2].str() + ": " + m[1].str() + ": " + m[3].str())});
    } else if (std::regex_match(line, m, elsewhere)) {
      std::string path = (fs::path(kGoldenDir) / m[2].str()).lexically_normal().string();
      out.push_back({m[1], path + ":" + m[3].str() + ": " + m[1].str() + ": " + m[4].str()});
    } else if (std::regex_match(line, m, here)) {
      out.push_back({m[1], rel_path + ":" + m[2].str() + ": " + m[1].str() + ": " + m[3].str()});
    }
  }
  return out;
}

struct Run {
  int status = -1;
  std::string err;
};

// The value of a golden file's `# KEY:` comment (`args`, `data`); nullopt when it has none.
std::optional<std::string> annotation(const std::string& text, const std::string& key) {
  const std::regex re("^\\s*#\\s*" + key + ": (.*?)\\s*$");
  std::istringstream in(text);
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_match(line, m, re)) return m[1];
  return std::nullopt;
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `sftx check REL ARGS`, or `sftx data REL 'EXPR' ARGS` for a file with `# data: EXPR`.
Run sftx_check(const std::string& rel_path, const std::string& text) {
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  const std::string args = annotation(text, "args").value_or("");
  const auto expr = annotation(text, "data");
  const std::string command =
      expr ? "data " + shell_quoted(rel_path) + " " + shell_quoted(*expr) : "check " + shell_quoted(rel_path);
  fs::path err_file = fs::temp_directory_path() / ("sftx_golden_" + std::to_string(::getpid()) + ".err");
  std::string cmd = "cd '" + std::string(SFTX_SOURCE_DIR) + "' && '" + bin + "' " + command + " " + args +
                    " >/dev/null 2>'" + err_file.string() + "'";
  int st = std::system(cmd.c_str());
  Run r;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = read(err_file);
  fs::remove(err_file);
  return r;
}

// Paths relative to tests/golden: its own .sftx files and those of profiles/.
std::vector<std::string> golden_files() {
  std::vector<std::string> files;
  for (const char* sub : {"", "profiles"})
    for (const auto& e : fs::directory_iterator(fs::path(SFTX_SOURCE_DIR) / kGoldenDir / sub))
      if (e.path().extension() == ".sftx") files.push_back((fs::path(sub) / e.path().filename()).string());
  std::sort(files.begin(), files.end());
  return files;
}

// `$GOLDEN` in an .expected file: tests/golden as sftx prints it, absolute (the shell's working
// directory has its links resolved, so canonical).
std::string with_golden_dir(std::string text) {
  const std::string dir = fs::canonical(fs::path(SFTX_SOURCE_DIR) / kGoldenDir).string();
  for (size_t at = text.find("$GOLDEN"); at != std::string::npos; at = text.find("$GOLDEN", at + dir.size()))
    text.replace(at, 7, dir);
  return text;
}

}  // namespace

TEST_CASE("golden diagnostics: every annotated error and warning, nothing else, right exit status", "[golden]") {
  auto files = golden_files();
  REQUIRE(files.size() >= 25);
  for (const auto& name : files) {
    std::string rel = std::string(kGoldenDir) + "/" + name;
    fs::path abs = fs::path(SFTX_SOURCE_DIR) / rel;
    const std::string text = read(abs);
    auto expected = expectations(rel, text);
    Run r = sftx_check(rel, text);
    INFO("file: " << rel << "\nstderr:\n" << r.err);
    bool expects_error = false;
    std::set<std::string> annotated;
    for (const auto& e : expected) {
      expects_error |= e.severity == "error";
      annotated.insert(e.text);
      INFO("expected: " << e.text);
      CHECK(r.err.find(e.text + "\n") != std::string::npos);
    }
    // Every error line must be annotated.
    std::istringstream lines(r.err);
    std::string line;
    static const std::regex error_line(R"(^(\S+):(\d+):(\d+): error: .*$)");
    while (std::getline(lines, line)) {
      if (!std::regex_match(line, error_line)) continue;
      INFO("unannotated error: " << line);
      CHECK(annotated.count(line) == 1);
    }
    CHECK(r.status == (expects_error ? 1 : 0));
    fs::path full = abs;
    full.replace_extension(".expected");
    if (fs::exists(full)) {
      INFO("exact stderr of " << full);
      CHECK(r.err == with_golden_dir(read(full)));
    }
  }
}
