#include "runtime/eval/ifeval_text.h"

#include <cctype>

#include <memory>
#include <stdexcept>

#include <unicode/uchar.h>
#include <unicode/ucasemap.h>
#include <unicode/utf8.h>

namespace sftx::rt {
namespace {

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// Calls f(code point, byte offset, byte length) for each code point of `text`; a byte that does
// not start valid UTF-8 comes as one code point -1.
template <typename F>
void for_each_code_point(std::string_view text, F&& f) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    f(c, static_cast<size_t>(start), static_cast<size_t>(i - start));
  }
}

}  // namespace

bool is_regex_word_char(char32_t ch) {
  const auto c = static_cast<UChar32>(ch);
  return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || (U_GET_GC_MASK(c) & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) ||
         u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL);
}

int count_words(std::string_view text) {
  int n = 0;
  bool in_word = false;
  for_each_code_point(text, [&](UChar32 c, size_t, size_t) {
    const bool word = c >= 0 && is_regex_word_char(static_cast<char32_t>(c));
    n += word && !in_word;
    in_word = word;
  });
  return n;
}

bool is_python_space(char32_t ch) {
  const auto c = static_cast<UChar32>(ch);
  const auto dir = u_charDirection(c);
  return dir == U_WHITE_SPACE_NEUTRAL || dir == U_BLOCK_SEPARATOR || dir == U_SEGMENT_SEPARATOR ||
         u_charType(c) == U_SPACE_SEPARATOR;
}

std::vector<std::string> split_whitespace(std::string_view text) {
  std::vector<std::string> out;
  size_t start = std::string_view::npos;
  for_each_code_point(text, [&](UChar32 c, size_t at, size_t) {
    const bool sp = c >= 0 && is_python_space(static_cast<char32_t>(c));
    if (sp && start != std::string_view::npos) {
      out.emplace_back(text.substr(start, at - start));
      start = std::string_view::npos;
    } else if (!sp && start == std::string_view::npos) {
      start = at;
    }
  });
  if (start != std::string_view::npos) out.emplace_back(text.substr(start));
  return out;
}

std::string str_lower(std::string_view text) {
  // One case map for the root locale ("" in ICU: no Turkish or Lithuanian rules, as in CPython);
  // ucasemap_utf8ToLower takes it const, so threads may share it.
  static const std::unique_ptr<UCaseMap, void (*)(UCaseMap*)> root = [] {
    UErrorCode err = U_ZERO_ERROR;
    UCaseMap* map = ucasemap_open("", U_FOLD_CASE_DEFAULT, &err);
    if (U_FAILURE(err)) throw std::runtime_error(std::string("ICU ucasemap_open: ") + u_errorName(err));
    return std::unique_ptr<UCaseMap, void (*)(UCaseMap*)>(map, ucasemap_close);
  }();
  if (text.empty()) return {};
  std::string out(text.size() + 16, '\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode err = U_ZERO_ERROR;
    const int32_t n = ucasemap_utf8ToLower(root.get(), out.data(), static_cast<int32_t>(out.size()), text.data(),
                                           static_cast<int32_t>(text.size()), &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
      out.assign(static_cast<size_t>(n), '\0');
      continue;
    }
    if (U_FAILURE(err)) throw std::runtime_error(std::string("ICU ucasemap_utf8ToLower: ") + u_errorName(err));
    out.resize(static_cast<size_t>(n));
    return out;
  }
  throw std::runtime_error("ICU ucasemap_utf8ToLower: the output did not fit");
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

std::string str_lower_each(std::string_view text) {
  std::string out;
  for_each_code_point(text, [&](UChar32, size_t at, size_t len) { out += str_lower(text.substr(at, len)); });
  return out;
}

std::string trim(std::string_view text) {
  size_t b = std::string_view::npos, e = 0;
  for_each_code_point(text, [&](UChar32 c, size_t at, size_t len) {
    if (c >= 0 && is_python_space(static_cast<char32_t>(c))) return;
    if (b == std::string_view::npos) b = at;
    e = at + len;
  });
  return b == std::string_view::npos ? std::string() : std::string(text.substr(b, e - b));
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
