#include "cli/data_expr_program.h"

#include <algorithm>
#include <regex>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::cli {

namespace fs = std::filesystem;

namespace {

// EXPR starts on line 2 of the program, after this text. The stage is not named `stage1`: a
// stage's name is in scope in its plan, so it would hide a FILE definition called `stage1`
// ("stage 'stage1' refers to itself").
constexpr int kExprLine = 2;
constexpr const char* kStagePrefix = "plan __sftx_data_plan__ { __sftx_data__ = ";

// Where a position of the program lies in EXPR: line 1 is EXPR's first line. A position before
// EXPR is its start; one after it (the program's text that follows) is one past its end.
class ExprPositions {
 public:
  explicit ExprPositions(const std::string& expr) : expr_(kExprPath, expr) {}

  LineColumn map(int line, int column) const {
    const int last = std::max(1, expr_.line_count());
    const int l = line - kExprLine + 1;
    if (l < 1) return {1, 1};
    if (l > last) return {last, count_code_points(expr_.line_text(last)) + 1};
    const int c = l == 1 ? column - prefix_columns() : column;
    if (c < 1) return {1, 1};
    const int line_end = count_code_points(expr_.line_text(l)) + 1;
    return {l, std::min(c, line_end)};
  }
  // Whether a program position is within EXPR's own text (not the program's around it).
  bool inside(int line, int column) const {
    const int l = line - kExprLine + 1;
    if (l < 1 || l > expr_.line_count()) return false;
    const int c = l == 1 ? column - prefix_columns() : column;
    return c >= 1 && c <= count_code_points(expr_.line_text(l));
  }
  const SourceFile& source() const { return expr_; }

 private:
  static int prefix_columns() { return count_code_points(kStagePrefix); }
  SourceFile expr_;
};

// "L:C" of the program inside a message about EXPR: the parser says where the bracket it
// wants closed was opened; notes say "<expr>:L:C". Moved onto EXPR; an "opened at" of the
// program's own brackets is dropped (the user did not write them).
std::string move_positions(const std::string& text, const ExprPositions& at) {
  static const std::regex opened(R"( opened at (\d+):(\d+))");
  static const std::regex expr_at(R"(<expr>:(\d+):(\d+))");
  auto rewrite = [&](const std::string& in, const std::regex& re, bool is_opened) {
    std::string out;
    auto last = in.cbegin();
    for (std::sregex_iterator it(in.begin(), in.end(), re), end; it != end; ++it) {
      const std::smatch& m = *it;
      out.append(last, m[0].first);
      const int line = std::stoi(m[1]), column = std::stoi(m[2]);
      const LineColumn lc = at.map(line, column);
      const std::string pos = std::to_string(lc.line) + ":" + std::to_string(lc.column);
      if (!is_opened) out += std::string(kExprPath) + ":" + pos;
      else if (at.inside(line, column)) out += " opened at " + pos;
      last = m[0].second;
    }
    out.append(last, in.cend());
    return out;
  };
  return rewrite(rewrite(text, opened, true), expr_at, false);
}

void replace_all(std::string& s, const std::string& what, const std::string& with) {
  if (what.empty() || what == with) return;
  for (size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + with.size()))
    s.replace(i, what.size(), with);
}

}  // namespace

std::string data_expr_program(const fs::path& file, const std::string& expr) {
  return "use " + nlohmann::json(file.string()).dump() + "\n" + kStagePrefix + expr + " }\nexperiment " +
         kDataExperiment +
         " {\n  base  = model(\"llama\", preset = \"nano\")\n  plans = [__sftx_data_plan__]\n"
         "  eval  = [perplexity(synthetic(\"pretrain\", n = 1, seed = 0))]\n}\n";
}

Diagnostics diagnostics_on_expr(const Diagnostics& diags, const std::string& expr, const fs::path& file,
                                const std::string& file_arg) {
  const ExprPositions at(expr);
  const std::string file_path = file.string();
  Diagnostics out;
  out.add_source(at.source());
  for (const Diagnostic& d : diags.all()) {
    Diagnostic moved = d;
    auto text_of = [&](std::string s) {
      if (d.path == kExprPath) s = move_positions(s, at);
      replace_all(s, file_path + ":", file_arg + ":");
      return s;
    };
    if (d.path == kExprPath && d.line > 0) {
      const LineColumn lc = at.map(d.line, d.column);
      moved.line = lc.line;
      moved.column = lc.column;
    } else if (d.path == file_path) {
      moved.path = file_arg;
    }
    if (moved.path != kExprPath)
      if (const SourceFile* s = diags.source(d.path)) out.add_source(SourceFile(moved.path, s->text()));
    Diagnostic& added = d.severity == Severity::error
                            ? out.error(moved.path, moved.line, moved.column, text_of(d.message), moved.length)
                            : out.warning(moved.path, moved.line, moved.column, text_of(d.message), moved.length);
    for (const auto& n : d.notes) added.note(text_of(n));
    for (const auto& h : d.helps) added.help(text_of(h));
  }
  return out;
}

}  // namespace sftx::cli
