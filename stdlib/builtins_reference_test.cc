// The docs and the built-in table agree: docs/builtins.md is exactly what
// `sftx builtins --markdown` prints, every option the docs show in a call of a built-in is one
// the checker accepts, and every built-in is described in the hand-written pages.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "stdlib/builtins.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The hand-written pages: README.md and docs/*.md but the generated reference.
std::vector<fs::path> documentation_pages() {
  const fs::path root = SFTX_SOURCE_DIR;
  std::vector<fs::path> pages = {root / "README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs"))
    if (e.path().extension() == ".md" && e.path().filename() != "builtins.md") pages.push_back(e.path());
  return pages;
}

struct DocumentedCall {
  std::string function;
  std::vector<std::string> keywords;  // written at the call's own level: `name = ...`
  std::string text;
  int line;
};

// Every `NAME(...)` of a built-in in the text (not `x.NAME(`: a method in a code sample), with
// the keywords of its own argument list (nested calls' keywords belong to them).
std::vector<DocumentedCall> calls_in(const std::string& text) {
  std::vector<DocumentedCall> out;
  std::set<std::string> names;
  for (const auto& n : sftx::builtin_names()) names.insert(n);
  for (size_t i = 0; i < text.size(); ++i) {
    if (!(std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_')) continue;
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_' || text[i - 1] == '.'))
      continue;
    size_t j = i;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
    std::string word = text.substr(i, j - i);
    if (j >= text.size() || text[j] != '(' || !names.count(word)) {
      i = j;
      continue;
    }
    DocumentedCall call{word, {}, "", 1 + static_cast<int>(std::count(text.begin(), text.begin() + i, '\n'))};
    int depth = 0;
    bool in_string = false;
    size_t k = j;
    std::string current;  // the identifier just read at depth 1
    for (; k < text.size(); ++k) {
      char c = text[k];
      if (in_string) {
        if (c == '\\') ++k;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') in_string = true;
      else if (c == '(' || c == '[' || c == '{') ++depth;
      else if (c == ')' || c == ']' || c == '}') {
        if (--depth == 0) break;
      } else if (depth == 1 && c == '=' && k + 1 < text.size() && text[k + 1] != '=' && text[k - 1] != '=' &&
                 text[k - 1] != '<' && text[k - 1] != '>' && text[k - 1] != '!') {
        size_t e = k;
        while (e > j && text[e - 1] == ' ') --e;
        size_t b = e;
        while (b > j && (std::isalnum(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '_')) --b;
        if (b < e) call.keywords.push_back(text.substr(b, e - b));
      } else if (c == '\n' && depth > 0 && k + 1 < text.size() && text[k + 1] == '\n') {
        break;  // a paragraph ended: prose like "mix(d1, d2, ...)" left open
      }
    }
    call.text = text.substr(i, std::min(k + 1, text.size()) - i);
    out.push_back(std::move(call));
    i = j;
  }
  return out;
}

}  // namespace

TEST_CASE("docs/builtins.md is what `sftx builtins --markdown` prints", "[builtins][docs]") {
  const fs::path page = fs::path(SFTX_SOURCE_DIR) / "docs" / "builtins.md";
  INFO("regenerate it: ./build/sftx builtins --markdown > docs/builtins.md");
  CHECK(read(page) == sftx::builtins_reference(true));
}

TEST_CASE("every option the docs show in a built-in call is accepted", "[builtins][docs]") {
  int seen = 0;
  for (const auto& page : documentation_pages()) {
    for (const auto& call : calls_in(read(page))) {
      const sftx::BuiltinFunction* f = sftx::find_builtin(call.function);
      REQUIRE(f);
      for (const auto& kw : call.keywords) {
        ++seen;
        INFO(page.filename().string() << ":" << call.line << ": " << call.text);
        CHECK(f->param(kw) != nullptr);
      }
    }
  }
  CHECK(seen > 30);  // the scan found the docs' calls at all
}

TEST_CASE("every built-in is described in the hand-written docs, every option in the reference", "[builtins][docs]") {
  std::string docs;
  for (const auto& page : documentation_pages()) docs += read(page);
  std::set<std::string> called;
  for (const auto& call : calls_in(docs)) called.insert(call.function);
  const std::string reference = sftx::builtins_reference(true);
  for (const auto& f : sftx::builtin_functions()) {
    INFO(f.name);
    // Called, or piped without arguments (`d |> tag`).
    CHECK((called.count(f.name) || docs.find("|> " + f.name) != std::string::npos));
    for (const auto& p : f.params) {
      INFO(p.name);
      CHECK(reference.find("| `" + p.name + "`") != std::string::npos);
    }
  }
}

TEST_CASE("the scan of documented calls reads keywords at the call's own level", "[builtins][docs]") {
  auto calls = calls_in("x = `model(\"llama\", tokenizer = sentencepiece(d, vocab = 4000))` and s.split(a = 1)");
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].function == "model");
  CHECK(calls[0].keywords == std::vector<std::string>{"tokenizer"});
  CHECK(calls[1].function == "sentencepiece");
  CHECK(calls[1].keywords == std::vector<std::string>{"vocab"});
}
