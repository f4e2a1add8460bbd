#include "runtime/data/tagger.h"

#include <set>

#include "runtime/data/text_normalize.h"

namespace sftx::rt {

namespace {

const std::set<std::string>& code_words() {
  static const std::set<std::string> w = {
      "python", "javascript", "typescript", "java", "golang", "rust", "cpp", "sql", "html", "css",
      "bash", "regex", "function", "functions", "code", "coding", "program", "programming", "script",
      "compile", "compiler", "debug", "debugging", "algorithm", "variable", "variables", "array",
      "recursion", "recursive", "api", "json", "github", "linux", "numpy", "pandas", "django", "react"};
  return w;
}

const std::set<std::string>& math_words() {
  static const std::set<std::string> w = {
      "solve", "calculate", "calculation", "equation", "equations", "compute", "arithmetic", "algebra",
      "algebraic", "integral", "derivative", "theorem", "probability", "percent", "percentage", "fraction",
      "fractions", "multiply", "divide", "divided", "sum", "product", "quotient", "remainder", "geometry",
      "triangle", "polynomial", "math", "maths", "mathematics", "mathematical"};
  return w;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool has_code_line(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(i, end - i);
    size_t k = line.find_first_not_of(" \t");
    if (k != std::string_view::npos) {
      line = line.substr(k);
      for (std::string_view p : {"def ", "class ", "import ", "#include", "function ", "public ", "fn ", "SELECT ",
                                 "const ", "let ", "console.log", "print("})
        if (starts_with(line, p)) return true;
      if (starts_with(line, "from ") && line.find(" import ") != std::string_view::npos) return true;
    }
    i = end + 1;
  }
  return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "3 * 4", "12 / 5", "x = 7 + 2": a digit, optional spaces, an operator, optional spaces, a
// digit. '-', '/' and 'x' need spaces around them, so "2019-2020", "1/2/2020" and "3x" are not maths.
bool has_arithmetic(std::string_view t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!is_digit(t[i])) continue;
    size_t j = i + 1;
    while (j < t.size() && t[j] == ' ') ++j;
    if (j >= t.size()) return false;
    char op = t[j];
    if (op != '+' && op != '-' && op != '*' && op != '/' && op != '=' && op != '^' && op != 'x') continue;
    bool spaced_before = j > i + 1;
    ++j;
    if ((op == 'x' || op == '-' || op == '/') && (!spaced_before || j >= t.size() || t[j] != ' ')) continue;
    while (j < t.size() && t[j] == ' ') ++j;
    if (j < t.size() && is_digit(t[j])) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> rule_tags(std::string_view text) {
  bool code = text.find("```") != std::string_view::npos || has_code_line(text);
  bool math = text.find("####") != std::string_view::npos ||
              (text.find("<<") != std::string_view::npos && text.find(">>") != std::string_view::npos) ||
              has_arithmetic(text);
  if (!code || !math) {
    for (const auto& w : words(text)) {
      code = code || code_words().count(w);
      math = math || math_words().count(w);
      if (code && math) break;
    }
  }
  std::vector<std::string> tags;
  if (code) tags.push_back("code");
  if (math) tags.push_back("math");
  return tags;
}

}  // namespace sftx::rt
