#include "runtime/eval/ifeval_text.h"

#include <cctype>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "runtime/regex/regex.h"

namespace sftx::rt {
namespace {

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }
bool alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)); }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)); }

bool ends_with_word_ci(const std::string& s, size_t end, std::string_view w) {
  // Does s[..end) end with w, preceded by a non-letter?
  if (end < w.size()) return false;
  size_t start = end - w.size();
  for (size_t i = 0; i < w.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[start + i])) != std::tolower(static_cast<unsigned char>(w[i])))
      return false;
  return start == 0 || !alpha(s[start - 1]);
}

}  // namespace

int count_words(std::string_view text) {
  static const Regex word(R"(\w+)");
  return static_cast<int>(word.find_all(text).size());
}

std::vector<std::string> split_sentences(std::string_view input) {
  std::string t = " " + std::string(input) + "  ";
  for (char& c : t)
    if (c == '\n') c = ' ';
  // A '.' at position i is a sentence end unless one of the public splitter's exceptions applies.
  std::vector<bool> stop(t.size(), false);
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '?' || c == '!') {
      stop[i] = true;
      continue;
    }
    if (c != '.') continue;
    // Ellipsis / multiple dots: one stop after the run.
    if (i + 1 < t.size() && t[i + 1] == '.') continue;
    if (i > 0 && t[i - 1] == '.') {
      stop[i] = true;
      continue;
    }
    bool protect = false;
    for (std::string_view title : {"mr", "st", "mrs", "ms", "dr"}) protect = protect || ends_with_word_ci(t, i, title);
    for (std::string_view suffix : {"inc", "ltd", "jr", "sr", "co"}) protect = protect || ends_with_word_ci(t, i, suffix);
    if (i > 0 && i + 1 < t.size() && digit(t[i - 1]) && digit(t[i + 1])) protect = true;  // 3.14
    for (std::string_view site : {"com", "net", "org", "io", "gov", "edu", "me"}) {
      if (t.compare(i + 1, site.size(), site) == 0 &&
          (i + 1 + site.size() >= t.size() || !alpha(t[i + 1 + site.size()])) && i > 0 && !space(t[i - 1]))
        protect = true;
    }
    // A single letter before the dot (initials, "U.S."), preceded by a space or another "X.".
    if (i >= 2 && alpha(t[i - 1]) && (space(t[i - 2]) || t[i - 2] == '.')) protect = true;
    // "e.g." style: a letter right after the dot followed by another dot.
    if (i + 2 < t.size() && alpha(t[i + 1]) && t[i + 2] == '.' && i > 0 && alpha(t[i - 1])) protect = true;
    stop[i] = !protect;
  }
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < t.size(); ++i) {
    cur += t[i];
    // A closing quote right after the stop belongs to the sentence it closes.
    if (stop[i]) {
      if (i + 1 < t.size() && t[i + 1] == '"') {
        cur += '"';
        ++i;
      }
      out.push_back(trim(cur));
      cur.clear();
    }
  }
  out.push_back(trim(cur));
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

namespace {
// CPython's str.isupper()/islower(): no character of the opposite case (nor a titlecase one),
// and at least one cased character of the wanted case; "Uppercase"/"Lowercase" are Unicode's
// derived properties, as CPython's tables use them.
bool all_of_case(std::string_view text, UProperty wanted, UProperty opposite) {
  bool cased = false;
  int32_t i = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(text.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) continue;  // not UTF-8: no case
    if (u_hasBinaryProperty(c, opposite) || u_istitle(c)) return false;
    if (u_hasBinaryProperty(c, wanted)) cased = true;
  }
  return cased;
}
}  // namespace

bool is_all_upper(std::string_view text) { return all_of_case(text, UCHAR_UPPERCASE, UCHAR_LOWERCASE); }
bool is_all_lower(std::string_view text) { return all_of_case(text, UCHAR_LOWERCASE, UCHAR_UPPERCASE); }

std::string ascii_lower(std::string_view text) {
  std::string s(text);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && space(text[b])) ++b;
  while (e > b && space(text[e - 1])) --e;
  return std::string(text.substr(b, e - b));
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      out.emplace_back(text.substr(start));
      return out;
    }
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
}

bool contains_word_ci(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  std::string t = ascii_lower(text), w = ascii_lower(word);
  for (size_t pos = t.find(w); pos != std::string::npos; pos = t.find(w, pos + 1)) {
    // \b holds at a start/end that is a word character next to a non-word character.
    bool left = pos == 0 || !word_char(static_cast<unsigned char>(t[pos - 1])) ||
                !word_char(static_cast<unsigned char>(w.front()));
    size_t end = pos + w.size();
    bool right = end == t.size() || !word_char(static_cast<unsigned char>(t[end])) ||
                 !word_char(static_cast<unsigned char>(w.back()));
    if (left && right) return true;
  }
  return false;
}

int count_ci(std::string_view text, std::string_view needle) {
  if (needle.empty()) return 0;
  std::string t = ascii_lower(text), n = ascii_lower(needle);
  int count = 0;
  for (size_t pos = t.find(n); pos != std::string::npos; pos = t.find(n, pos + n.size())) ++count;
  return count;
}

}  // namespace sftx::rt
