#include "runtime/eval/gsm8k.h"

#include <algorithm>
#include <cctype>

#include "runtime/regex/regex.h"

namespace sftx::rt {
namespace {

// lm-eval's patterns, verbatim. Python's re and PCRE2 agree on both: no lookaround, no Unicode
// classes. Whole matches stand for the groups: in the strict pattern the group is the match
// minus its 5-byte "#### " prefix; in the flexible one exactly one alternative matches, whole.
const Regex& strict_pattern() {
  static const Regex r(R"(#### (\-?[0-9\.\,]+))");
  return r;
}
const Regex& flexible_pattern() {
  static const Regex r(R"((-?[$0-9.,]{2,})|(-?[0-9]+))");
  return r;
}

// Python's str.strip(): ASCII whitespace (the matches hold none, but the filter strips).
std::string strip(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

// regexes_to_ignore [",", "\$", "(?s).*#### ", "\.$"], each re.sub'd in turn, then lower().
std::string normalize(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ','), s.end());
  s.erase(std::remove(s.begin(), s.end(), '$'), s.end());
  if (size_t last = s.rfind("#### "); last != std::string::npos) s.erase(0, last + 5);
  // Python's "$" matches at the very end and before a final "\n"; one substitution at most
  // (after the first, a second "." before the end is no longer at the end).
  if (!s.empty() && s.back() == '.') s.pop_back();
  else if (s.size() >= 2 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '.') s.erase(s.size() - 2, 1);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::string> extract_gsm8k_answer(std::string_view text) {
  auto strict = strict_pattern().find_all(text);
  if (!strict.empty()) {
    auto [b, e] = strict.front();
    return normalize(strip(text.substr(b + 5, e - b - 5)));
  }
  auto flexible = flexible_pattern().find_all(text);
  if (flexible.empty()) return std::nullopt;
  auto [b, e] = flexible.back();
  return normalize(strip(text.substr(b, e - b)));
}

std::string normalize_gsm8k_reference(std::string_view reference) { return normalize(std::string(reference)); }

Gsm8kVerdict score_gsm8k(std::string_view completion, std::string_view reference) {
  Gsm8kVerdict v;
  v.predicted = extract_gsm8k_answer(completion);
  v.expected = normalize_gsm8k_reference(reference);
  v.correct = v.predicted && *v.predicted == *v.expected;
  return v;
}

}  // namespace sftx::rt
