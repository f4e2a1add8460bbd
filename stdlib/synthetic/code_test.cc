#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

#include "stdlib/synthetic/synthetic.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;
using namespace sftx::rt;

namespace {
// The Python function in a `code` answer: inside ```python fences if there are some, else all of it.
std::string extract_code(const std::string& answer) {
  const std::string open = "```python\n";
  const size_t b = answer.find(open);
  if (b == std::string::npos) return answer;
  const size_t e = answer.find("```", b + open.size());
  return answer.substr(b + open.size(), e - b - open.size());
}

// Runs python3 on a script; returns its exit status and output.
std::pair<int, std::string> run_python(const std::string& script, const fs::path& dir) {
  const fs::path file = dir / "check.py";
  std::ofstream(file) << script;
  const std::string cmd = "python3 " + file.string() + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string py_literal(const std::string& s) { return nlohmann::json(s).dump(); }  // JSON strings are Python literals

}  // namespace

TEST_CASE("code records' unit tests pass against their own solutions in python3", "[synthetic][code][python]") {
  sftx::testing::TempDir dir_tmp("sftx-code-train");
  const fs::path dir = dir_tmp.path();
  // One python process for many records: each runs in a fresh namespace; failures are listed.
  std::string script = "import sys\nfailed = []\ncases = []\n";
  std::set<int64_t> families;
  for (int64_t i = 0; i < 150; ++i) {
    const Record r = synth::code_record(21, i);
    const std::string code = extract_code(r.messages[1].content);
    const std::string tests = r.meta["tests"].get<std::string>();
    const std::string entry = r.meta["entry_point"].get<std::string>();
    CHECK(code.find("def " + entry + "(") == 0);
    CHECK(std::count(tests.begin(), tests.end(), '\n') >= 3);
    families.insert(r.meta["family"].get<int64_t>());
    script += "cases.append((" + std::to_string(i) + ", " + py_literal(code) + ", " + py_literal(tests) + "))\n";
  }
  script +=
      "for i, code, tests in cases:\n"
      "    ns = {}\n"
      "    try:\n"
      "        exec(code, ns)\n"
      "        exec(tests, ns)\n"
      "    except Exception as e:\n"
      "        failed.append((i, repr(e)))\n"
      "        print('record', i, 'failed:', repr(e))\n"
      "# a wrong solution must fail its tests (the tests are not vacuous)\n"
      "i, code, tests = cases[0]\n"
      "ns = {}\n"
      "exec(code.replace('return ', 'return 1 + 0 * ', 1) if 'return' in code else code, ns)\n"
      "try:\n"
      "    exec(tests, ns)\n"
      "    print('vacuous tests in record 0')\n"
      "    failed.append((0, 'vacuous'))\n"
      "except Exception:\n"
      "    pass\n"
      "print('checked', len(cases))\n"
      "sys.exit(1 if failed else 0)\n";
  const auto [status, out] = run_python(script, dir);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("checked 150") != std::string::npos);
  CHECK(families.size() >= 20);
  fs::remove_all(dir);
}

TEST_CASE("humaneval_test tasks have HumanEval's fields and pass their own check()", "[synthetic][code][python]") {
  sftx::testing::TempDir dir_tmp("sftx-code-humaneval");
  const fs::path dir = dir_tmp.path();
  std::string script = "import sys\nfailed = 0\n";
  std::set<std::string> entry_points;
  for (int64_t i = 0; i < 60; ++i) {
    const Record r = synth::humaneval_test_record(2, i);
    const auto& m = r.meta;
    CHECK(m["task_id"] == "SynthEval/" + std::to_string(i));
    const std::string prompt = m["prompt"], solution = m["canonical_solution"], test = m["test"], entry = m["entry_point"];
    entry_points.insert(entry);
    CHECK(r.messages.at(0).content == prompt);
    CHECK(prompt.rfind("def " + entry + "(", 0) == 0);
    CHECK(prompt.find("\"\"\"") != std::string::npos);
    CHECK(prompt.find(">>> " + entry + "(") != std::string::npos);
    CHECK(test.find("def check(candidate):") != std::string::npos);
    CHECK(test.find("assert candidate(") != std::string::npos);
    // As HumanEval's harness does: prompt + completion + test + check(entry_point).
    const std::string program = prompt + solution + test + "\ncheck(" + entry + ")\n";
    script += "try:\n    exec(" + py_literal(program) + ", {})\nexcept Exception as e:\n    failed += 1\n    print(" +
              py_literal(m["task_id"].get<std::string>()) + ", repr(e))\n";
    // A wrong completion fails.
    const std::string wrong = prompt + "    return None\n" + test + "\ncheck(" + entry + ")\n";
    script += "try:\n    exec(" + py_literal(wrong) + ", {})\n    failed += 1\n    print('vacuous', " +
              py_literal(m["task_id"].get<std::string>()) + ")\nexcept Exception:\n    pass\n";
  }
  script += "print('done')\nsys.exit(1 if failed else 0)\n";
  const auto [status, out] = run_python(script, dir);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("done") != std::string::npos);
  CHECK(entry_points.size() == static_cast<size_t>(synth::humaneval_test_family_count()));
  // Held-out families: no humaneval_test function name is a training entry point.
  std::set<std::string> train_names;
  for (int64_t i = 0; i < 2000; ++i) train_names.insert(synth::code_record(2, i).meta["entry_point"].get<std::string>());
  for (const auto& e : entry_points) CHECK(train_names.count(e) == 0);
  fs::remove_all(dir);
}
