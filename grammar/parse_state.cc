#include "grammar/parse_state.h"

#include <string_view>

#include <tao/pegtl.hpp>

#include "grammar/parser.h"

namespace sftx::grammar {

ParseState::ParseState(const SourceFile& f, Diagnostics& d)
    : file(f), diags(d), begin(f.text().data()), end(f.text().data() + f.text().size()) {}

namespace {

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool starts_operand(char c) {
  return is_ident_char(c) || c == '"' || c == '(' || c == '[' || c == '{' || c == '-';
}
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

const char* line_start(const ParseState& ps, const char* p) {
  while (p > ps.begin && p[-1] != '\n') --p;
  return p;
}
const char* line_end(const ParseState& ps, const char* p) {
  while (p < ps.end && *p != '\n') ++p;
  return p;
}
const char* next_line(const ParseState& ps, const char* p) {
  p = line_end(ps, p);
  return p < ps.end ? p + 1 : p;
}

// End of the code on [from, to) of one line: after its last character that is neither blank
// nor part of a comment (strings never span lines, so a line can be scanned on its own).
// Returns `from` when the span holds no code.
const char* code_end(const char* from, const char* to) {
  const char* last = from;
  bool in_string = false;
  for (const char* p = from; p < to; ++p) {
    char c = *p;
    if (in_string) {
      if (c == '\\' && p + 1 < to) ++p;
      else if (c == '"') in_string = false;
      last = p + 1;
    } else if (c == '#') {
      break;
    } else if (c == '"') {
      in_string = true;
      last = p + 1;
    } else if (!is_blank(c)) {
      last = p + 1;
    }
  }
  return last;
}

// Just after the token before `at`: on at's line if there is code before it, else on the
// nearest earlier line with code. Returns `at` when nothing precedes it.
const char* previous_token_end(const ParseState& ps, const char* at) {
  const char* ls = line_start(ps, at);
  const char* ce = code_end(ls, at);
  if (ce > ls) return ce;
  while (ls > ps.begin) {
    const char* prev_start = line_start(ps, ls - 1);
    ce = code_end(prev_start, ls - 1);
    if (ce > prev_start) return ce;
    ls = prev_start;
  }
  return at;
}

// Like previous_token_end, but only moves when a line break separates the two (an error
// on the same line as the code before it stays where it is).
const char* end_of_previous_line_code(const ParseState& ps, const char* at) {
  const char* ls = line_start(ps, at);
  if (code_end(ls, at) > ls) return at;
  return previous_token_end(ps, at);
}

// The token ending at `e` (a word, '|>' or one character), for "after '{prev}'".
std::string token_before(const ParseState& ps, const char* e) {
  if (e <= ps.begin) return "";
  if (is_ident_char(e[-1])) {
    const char* b = e;
    while (b > ps.begin && is_ident_char(b[-1]) && e - b < 40) --b;
    return std::string(b, e);
  }
  if (e[-1] == '>' && e - 1 > ps.begin && e[-2] == '|') return "|>";
  // One code point.
  const char* b = e - 1;
  while (b > ps.begin && (static_cast<unsigned char>(*b) & 0xC0) == 0x80 && e - b < 4) --b;
  return std::string(b, e);
}

// Length in bytes of the UTF-8 sequence starting at p if valid, else 0.
int utf8_length(const char* p, const char* end) {
  unsigned char c = static_cast<unsigned char>(*p);
  int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || end - p < n) return 0;
  std::uint32_t cp = n == 1 ? c : c & (0x7F >> n);
  for (int i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(p[i]) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (static_cast<unsigned char>(p[i]) & 0x3F);
  }
  // Overlong forms, surrogates and values above U+10FFFF are not UTF-8 (and must not reach
  // a terminal or a JSON file raw): the grammar's strings reject them too.
  static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// The code point at p, printable: 'x', 'é', or '\x01' for control bytes and invalid UTF-8.
std::string quoted_char(const char* p, const char* end) {
  unsigned char c = static_cast<unsigned char>(*p);
  int n = utf8_length(p, end);
  if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
    static const char* hex = "0123456789abcdef";
    return std::string("'\\x") + hex[c >> 4] + hex[c & 0xF] + "'";
  }
  return "'" + std::string(p, static_cast<std::size_t>(n)) + "'";
}

// Bytes of the token at `at` (for the underline of "unexpected X").
std::size_t token_length(const ParseState& ps, const char* at) {
  if (at >= ps.end || *at == '\n') return 1;
  const char* p = at;
  if (is_ident_char(*p)) {
    while (p < ps.end && is_ident_char(*p)) ++p;
    return static_cast<std::size_t>(p - at);
  }
  if (*p == '|' && p + 1 < ps.end && p[1] == '>') return 2;
  int n = utf8_length(p, ps.end);
  return n > 0 ? static_cast<std::size_t>(n) : 1;
}

std::string location_text(const ParseState& ps, std::uint32_t offset) {
  LineColumn lc = ps.file.location(offset);
  return std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

void replace_all(std::string& s, std::string_view what, const std::string& with) {
  for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + with.size()))
    s.replace(i, what.size(), with);
}

[[noreturn]] void throw_recorded(const ParseState& ps, const char* at) {
  throw tao::pegtl::parse_error("syntax error", tao::pegtl::position(ps.offset(at), 1, 1, std::string()));
}

// Records one syntax error; past kMaxSyntaxErrors only a final note is recorded.
void add_error(ParseState& ps, const char* at, std::size_t length, std::string message) {
  ++ps.errors;
  if (ps.errors > kMaxSyntaxErrors) return;
  std::uint32_t b = ps.offset(at);
  ps.diags.error(ps.file, SourceRange{b, static_cast<std::uint32_t>(b + length)}, std::move(message));
  if (ps.errors == kMaxSyntaxErrors)
    ps.diags.error(ps.file, SourceRange{b, b}, "too many syntax errors; the rest of the file is not parsed");
}

}  // namespace

std::string describe_token(const ParseState& ps, const char* at) {
  if (at >= ps.end) return "end of file";
  char c = *at;
  if (c == '\n' || (c == '\r' && at + 1 < ps.end && at[1] == '\n')) return "end of line";
  if (c == '"') return "string";
  if (is_ident_char(c)) {
    std::size_t n = token_length(ps, at);
    std::string word(at, n < 40 ? n : 40);
    return "'" + word + (n > 40 ? "...'" : "'");
  }
  if (c == '|' && at + 1 < ps.end && at[1] == '>') return "'|>'";
  return quoted_char(at, ps.end);
}

void report_expected(ParseState& ps, const char* at, const char* message, bool at_open, bool after_previous,
                     int column_shift) {
  ps.pending = true;
  ps.pending_offset = ps.offset(at);
  std::string text = message;
  const char* where = at;
  std::size_t length = 1;
  const char* open = ps.groups.empty() ? nullptr : ps.begin + ps.groups.back().offset;

  if (text.find("{char}") != std::string::npos) {
    if (at >= ps.end || *at == '\n' || *at == '\r') {
      // A backslash at the end of a line: the string never closes.
      text = "unterminated string";
      at_open = true;
      column_shift = 0;
    } else {
      std::string ch = quoted_char(at, ps.end);
      replace_all(text, "{char}", ch.substr(1, ch.size() - 2));
    }
  }
  if (text.find("{open}") != std::string::npos)
    replace_all(text, "{open}", open ? location_text(ps, ps.offset(open)) : std::string("?"));
  if (text.find("{prev}") != std::string::npos)
    replace_all(text, "{prev}", token_before(ps, previous_token_end(ps, at)));
  if (text.find("{found}") != std::string::npos) {
    replace_all(text, "{found}", describe_token(ps, at));
    length = token_length(ps, at);
  }

  if (at_open && open) where = open;
  if (after_previous) where = end_of_previous_line_code(ps, at);
  if (column_shift < 0 && where - ps.begin >= -column_shift) where += column_shift;
  add_error(ps, where, length, std::move(text));
  if (after_previous && where == at && open && ps.errors <= kMaxSyntaxErrors && at < ps.end && starts_operand(*at)) {
    // `f(a b)`: the close was expected, but the next thing could be another element.
    std::string kind = ps.groups.back().kind;
    bool word = is_ident_char(*at);
    if (kind == "call") ps.diags.last().help("arguments are separated by ','");
    else if (kind == "list") ps.diags.last().help("list elements are separated by ','");
    else if (kind == "parameter list" && word) ps.diags.last().help("parameters are separated by ','");
    else if (kind == "record" && word) ps.diags.last().help("fields are separated by ';', ',' or a newline");
  }
}

void check_depth(ParseState& ps, const char* at) {
  if (ps.depth <= kMaxNestingDepth) return;
  ps.pending = true;
  ps.pending_offset = ps.offset(at);
  add_error(ps, at, 1, "expression nested too deeply (more than " + std::to_string(kMaxNestingDepth) + " levels)");
  throw_recorded(ps, at);
}

// In a body: the '}' that closes it on the line of `e`, if any, scanning from the entry's
// start `at` (braces of records opened on the way are matched; strings and comments skipped).
const char* closing_brace_on_line(const ParseState& ps, const char* at, const char* e) {
  const char* stop = line_end(ps, e);
  int depth = 0;
  bool in_string = false;
  for (const char* p = at; p < stop; ++p) {
    if (in_string) {
      if (*p == '\\') ++p;
      else if (*p == '"') in_string = false;
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '#') {
      p = line_end(ps, p);
      if (p >= stop) break;
    } else if (*p == '{') {
      ++depth;
    } else if (*p == '}') {
      if (depth == 0) return p > at ? p : nullptr;
      --depth;
    }
  }
  return nullptr;
}

bool starts_with_word(const char* p, const char* end, std::string_view word) {
  return static_cast<std::size_t>(end - p) >= word.size() && std::string_view(p, word.size()) == word &&
         (static_cast<std::size_t>(end - p) == word.size() || !is_ident_char(p[word.size()]));
}

bool starts_with_top_keyword(const char* p, const char* end) {
  return starts_with_word(p, end, "plan") || starts_with_word(p, end, "experiment") ||
         starts_with_word(p, end, "defaults") || starts_with_word(p, end, "use");
}

// `plan dmt(k {` ... `}`: when a plan/experiment/defaults fails in its header (the error
// `e` is at or before the body's '{'), its body would otherwise be read as top-level lines
// and a lone '}'. Returns the point just after the body's matching '}', or nullptr.
const char* after_body_of_broken_header(const ParseState& ps, const char* at, const char* e) {
  if (!starts_with_word(at, ps.end, "plan") && !starts_with_word(at, ps.end, "experiment") &&
      !starts_with_word(at, ps.end, "defaults"))
    return nullptr;
  int depth = 0;
  bool in_string = false;
  const char* open = nullptr;
  for (const char* p = at; p < ps.end; ++p) {
    if (in_string) {
      if (*p == '\\') ++p;
      else if (*p == '"' || *p == '\n') in_string = false;
      continue;
    }
    if (*p == '\n') {
      // A line that starts another top-level item: the body never opened or never closes.
      const char* q = p + 1;
      while (q < ps.end && is_blank(*q)) ++q;
      if (starts_with_top_keyword(q, ps.end)) return nullptr;
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '#') {
      p = line_end(ps, p) - 1;
    } else if (*p == '{') {
      if (!open) {
        if (e > p) return nullptr;  // the header was fine; the error is in or after the body
        open = p;
      }
      ++depth;
    } else if (*p == '}' && open) {
      if (--depth == 0) return p + 1;
    }
  }
  return nullptr;
}

const char* recovery_point(ParseState& ps, const char* at, RecoveryLevel level) {
  if (ps.errors >= kMaxSyntaxErrors) return ps.end;
  const char* resume;
  const char* e = at;  // where the problem is
  if (ps.pending) {
    ps.pending = false;
    e = ps.begin + ps.pending_offset;
    if (e < at) e = at;
    const char* ls = line_start(ps, e);
    bool first_on_line = true;
    for (const char* p = ls; p < e; ++p)
      if (!is_blank(*p)) { first_on_line = false; break; }
    resume = (first_on_line && ls > at) ? ls : next_line(ps, e);
    if (level == RecoveryLevel::top)
      if (const char* after = after_body_of_broken_header(ps, at, e)) resume = after;
  } else {
    // Nothing could start a statement here.
    add_error(ps, at, token_length(ps, at), "unexpected " + describe_token(ps, at));
    resume = next_line(ps, at);
  }
  if (level == RecoveryLevel::entry && resume > line_end(ps, e)) {
    // Stay inside the body when its '}' is on the line of the error.
    if (const char* brace = closing_brace_on_line(ps, at, e)) return brace;
  }
  // Lines that begin with `|>` continue the broken statement.
  while (resume < ps.end) {
    const char* p = resume;
    while (p < ps.end && is_blank(*p)) ++p;
    if (p + 1 < ps.end && p[0] == '|' && p[1] == '>') resume = next_line(ps, p);
    else break;
  }
  if (resume <= at) resume = next_line(ps, at);
  if (resume <= at && at < ps.end) resume = at + 1;  // cannot happen; guarantees progress
  return resume;
}

}  // namespace sftx::grammar
