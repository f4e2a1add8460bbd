#include "runtime/eval/ifeval_instructions.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>

#include "runtime/eval/ifeval_text.h"
#include "runtime/eval/langdetect.h"
#include "runtime/eval/nltk_word_tokenize.h"
#include "runtime/eval/punkt.h"
#include "runtime/regex/regex.h"

namespace sftx::rt {
namespace {

using Check = std::function<bool(const nlohmann::json&, const std::string&)>;

const nlohmann::json& arg(const nlohmann::json& kw, const char* name) {
  if (!kw.is_object() || !kw.contains(name) || kw[name].is_null())
    throw std::invalid_argument(std::string("missing argument \"") + name + "\"");
  return kw[name];
}

int64_t int_arg(const nlohmann::json& kw, const char* name) {
  const auto& v = arg(kw, name);
  if (v.is_number()) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (const std::exception&) {
    }
  }
  throw std::invalid_argument(std::string("argument \"") + name + "\" must be an integer");
}

std::string string_arg(const nlohmann::json& kw, const char* name) {
  const auto& v = arg(kw, name);
  if (!v.is_string()) throw std::invalid_argument(std::string("argument \"") + name + "\" must be a string");
  return v.get<std::string>();
}

std::vector<std::string> strings_arg(const nlohmann::json& kw, const char* name) {
  const auto& v = arg(kw, name);
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array()) throw std::invalid_argument(std::string("argument \"") + name + "\" must be a list of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) throw std::invalid_argument(std::string("argument \"") + name + "\" must be a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// The public relations: "less than" means count < N, "at least" means count >= N.
bool compare(const nlohmann::json& kw, const char* count_name, int64_t count, const char* relation_name = "relation") {
  std::string rel = string_arg(kw, relation_name);
  int64_t n = int_arg(kw, count_name);
  if (rel == "less than") return count < n;
  if (rel == "at least") return count >= n;
  throw std::invalid_argument(std::string("argument \"") + relation_name +
                              "\" must be \"less than\" or \"at least\" (got \"" + rel + "\")");
}

// Words in all capitals: the tokens of nltk.word_tokenize that are str.isupper() (so "U.S",
// "N'T" and the "I" of "I'm" count; "CAN'T" is two tokens, "X-RAY" one).
int64_t count_capital_words(const std::string& text) {
  int64_t n = 0;
  for (const auto& token : nltk_word_tokenize(text)) n += is_all_upper(token) ? 1 : 0;
  return n;
}

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Python's re reads \s as str.isspace(), which holds for U+001C..U+001F and U+0085 as well;
// PCRE2's Unicode \s (the Z categories and \t \n \v \f \r) does not: they are added, outside
// and inside character classes.
std::string python_spaces(const std::string& pattern) {
  static const std::string extra = R"(\x{1c}-\x{1f}\x{85})";
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[++i];
      if (e == 's' && in_class) out += "\\s" + extra;
      else if (e == 's') out += "[\\s" + extra + "]";
      else if (e == 'S' && !in_class) out += "[^\\s" + extra + "]";
      else out += std::string{c, e};
      continue;
    }
    out += c;
    if (!in_class && c == '[') {
      in_class = true;
      // A "]" first in the class (after an optional "^") is a literal, in Python as in PCRE2.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
    } else if (in_class && c == ']') {
      in_class = false;
    }
  }
  return out;
}

// The public checks are Python regular expressions; these run the same patterns through PCRE2
// (runtime/regex), which agrees with Python's re on them: no look-around, and \w, \b, \d
// Unicode-aware on both sides (PCRE2_UCP), \s once python_spaces has widened it. Patterns built
// from arguments (keywords, markers) are regexes in the public code too, so they are compiled,
// not escaped.
Regex compiled(const std::string& pattern) {
  try {
    return Regex(python_spaces(pattern));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("cannot use \"" + pattern + "\" as a regular expression: " + e.what());
  }
}

size_t count_matches(const std::string& pattern, const std::string& text) {
  return compiled(pattern).find_all(text).size();
}

// re.findall(r"^\s*\*[^\*].*$", value, flags=re.MULTILINE) plus re.findall(r"^\s*-.*$", ...).
// (\s* may cross blank lines, and [^\*] may be the newline after a lone "*": both count as
// the public patterns count them.)
int64_t count_bullets(const std::string& text) {
  static const Regex star = compiled(R"((?m)^\s*\*[^\*].*$)"), dash = compiled(R"((?m)^\s*-.*$)");
  return static_cast<int64_t>(star.find_all(text).size() + dash.find_all(text).size());
}

std::string strip_chars(std::string s, std::string_view chars, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && chars.find(s[b]) != std::string_view::npos) ++b;
  if (right)
    while (e > b && chars.find(s[e - 1]) != std::string_view::npos) --e;
  return s.substr(b, e - b);
}

// re.findall(r"<<[^\n]+>>"): greedy, so "<<a>> and <<b>>" is one title; it counts when
// title.lstrip("<").rstrip(">").strip() is not empty.
bool has_title(const std::string& text) {
  static const Regex title(R"(<<[^\n]+>>)");
  for (auto [b, e] : title.find_all(text)) {
    std::string t = strip_chars(text.substr(b, e - b), "<", true, false);
    if (!trim(strip_chars(t, ">", false, true)).empty()) return true;
  }
  return false;
}

// Python's json.loads accepts what RFC 8259 (and nlohmann) does not: the constants NaN,
// Infinity and -Infinity, numbers out of a double's range (1e400 is inf), and \uD800-\uDFFF
// escapes that are not a surrogate pair; it rejects what nlohmann skips, a leading byte order
// mark. This rewrites the first three into strict JSON of the same shape (a constant or a
// number becomes 0, a surrogate escape \u0041), so that nlohmann accepts exactly what
// json.loads does.
std::optional<std::string> as_strict_json(std::string_view v) {
  if (v.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;  // "Unexpected UTF-8 BOM"
  std::string out;
  out.reserve(v.size());
  bool in_string = false;
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  auto digit = [&](std::size_t j) { return j < v.size() && v[j] >= '0' && v[j] <= '9'; };
  for (std::size_t i = 0; i < v.size();) {
    char c = v[i];
    if (in_string) {
      if (c == '"') in_string = false;
      if (c == '\\' && i + 1 < v.size()) {
        if (v[i + 1] == 'u' && i + 6 <= v.size() && hex(v[i + 2]) && hex(v[i + 3]) && hex(v[i + 4]) &&
            hex(v[i + 5]) && (v[i + 2] == 'd' || v[i + 2] == 'D') &&
            std::strchr("89abcdefABCDEF", v[i + 3]) != nullptr) {
          out += "\\u0041";
          i += 6;
          continue;
        }
        out.append(v.substr(i, 2));
        i += 2;
        continue;
      }
      out += c;
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    // json.loads's NUMBER_RE, -?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?; what follows a match is
    // left as it is, so "01" stays two tokens and stays invalid.
    if (digit(i) || (c == '-' && digit(i + 1))) {
      std::size_t j = i + (c == '-');
      if (v[j] == '0') ++j;
      else while (digit(j)) ++j;
      if (j < v.size() && v[j] == '.' && digit(j + 1))
        for (++j; digit(j);) ++j;
      if (j < v.size() && (v[j] == 'e' || v[j] == 'E')) {
        std::size_t k = j + 1 + (j + 1 < v.size() && (v[j + 1] == '+' || v[j + 1] == '-'));
        if (digit(k)) {
          for (j = k; digit(j);) ++j;
        }
      }
      out += '0';
      i = j;
      continue;
    }
    // -NaN is not a Python constant; "-" then "NaN" stays, and stays invalid.
    bool after_minus = i > 0 && v[i - 1] == '-';
    if (v.substr(i, 9) == "-Infinity") {
      out += '0';
      i += 9;
    } else if (v.substr(i, 8) == "Infinity" && !after_minus) {
      out += '0';
      i += 8;
    } else if (v.substr(i, 3) == "NaN" && !after_minus) {
      out += '0';
      i += 3;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// value.strip().removeprefix("```json").removeprefix("```Json").removeprefix("```JSON")
//      .removeprefix("```").removesuffix("```").strip(), then json.loads.
bool is_json(const std::string& response) {
  std::string v = trim(response);
  for (std::string_view fence : {"```json", "```Json", "```JSON", "```"})
    if (starts_with(v, fence)) v = v.substr(fence.size());
  if (ends_with(v, "```")) v = v.substr(0, v.size() - 3);
  v = trim(v);
  std::optional<std::string> strict = as_strict_json(v);
  return strict && nlohmann::json::accept(*strict);
}

// re.findall(r"\*[^\n\*]*\*") with highlight.strip("*").strip() non-empty, plus
// re.findall(r"\*\*[^\n\*]*\*\*") with the inside non-empty.
int64_t count_highlights(const std::string& t) {
  static const Regex single(R"(\*[^\n\*]*\*)"), twice(R"(\*\*[^\n\*]*\*\*)");
  int64_t n = 0;
  for (auto [b, e] : single.find_all(t))
    if (!trim(strip_chars(t.substr(b, e - b), "*", true, true)).empty()) ++n;
  for (auto [b, e] : twice.find_all(t))
    if (!trim(t.substr(b + 2, e - b - 4)).empty()) ++n;
  return n;
}

// value.lower(), then re.findall with flags=re.MULTILINE of
//   "P.P.S": \s*p\.\s?p\.\s?s.*$    "P.S.": \s*p\.\s?s\..*$    else: \s* + marker.lower() + .*$
// (str.lower(), Unicode: "ΣΗΜΕΙΩΣΗ:" is found by the marker "Σημείωση:").
bool has_postscript(const std::string& response, const std::string& marker_arg) {
  std::string marker = trim(marker_arg);
  std::string pattern = marker == "P.P.S"  ? R"(\s*p\.\s?p\.\s?s.*$)"
                        : marker == "P.S." ? R"(\s*p\.\s?s\..*$)"
                                           : R"(\s*)" + str_lower(marker) + R"(.*$)";
  return compiled("(?m)" + pattern).search(str_lower(response));
}

bool paragraphs_ok(const std::string& response, int64_t want) {
  // re.split(r"\s?\*\*\*\s?", value); empty first/last pieces do not count, empty inner ones fail.
  static const Regex divider = compiled(R"(\s?\*\*\*\s?)");
  std::vector<std::string> parts;
  size_t start = 0;
  for (auto [b, e] : divider.find_all(response)) {
    parts.push_back(response.substr(start, b - start));
    start = e;
  }
  parts.push_back(response.substr(start));
  int64_t n = static_cast<int64_t>(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!trim(parts[i]).empty()) continue;
    if (i == 0 || i + 1 == parts.size()) --n;
    else return false;
  }
  return n == want;
}

// Paragraphs split on "\n\n"; blank ones do not count; the nth (1-based, counted among all
// pieces) must be non-blank and start with first_word once leading quotes are dropped and the
// word is cut at the first of . , ? ! ' " (the public ParagraphFirstWordCheck). The argument is
// lowered as one string (first_word.lower(): a final Σ becomes ς), the response's word letter by
// letter (letter.lower(): every Σ becomes σ), both with str.lower()'s Unicode mapping; the word
// is paragraph.split()[0], cut at Python's white space.
bool nth_paragraph_first_word(const nlohmann::json& kw, const std::string& value) {
  int64_t want_paragraphs = int_arg(kw, "num_paragraphs");
  int64_t nth = int_arg(kw, "nth_paragraph");
  std::string first_word = str_lower(string_arg(kw, "first_word"));
  std::vector<std::string> paragraphs;
  for (size_t start = 0;;) {
    size_t cut = value.find("\n\n", start);
    paragraphs.push_back(value.substr(start, cut == std::string::npos ? std::string::npos : cut - start));
    if (cut == std::string::npos) break;
    start = cut + 2;
  }
  int64_t n = static_cast<int64_t>(paragraphs.size());
  for (const auto& p : paragraphs)
    if (trim(p).empty()) --n;
  if (nth > n || nth < 1) return false;
  std::string paragraph = trim(paragraphs[static_cast<size_t>(nth - 1)]);
  if (paragraph.empty()) return false;
  std::string word = strip_chars(strip_chars(split_whitespace(paragraph).front(), "'", true, false), "\"", true, false);
  std::string found = str_lower_each(word.substr(0, word.find_first_of(".,?!'\"")));
  return n == want_paragraphs && found == first_word;
}

// value.split("******"): blank pieces only at either end, exactly two others, different once
// stripped.
bool two_responses(const std::string& value) {
  std::vector<std::string> pieces;
  for (size_t start = 0;;) {
    size_t cut = value.find("******", start);
    pieces.push_back(value.substr(start, cut == std::string::npos ? std::string::npos : cut - start));
    if (cut == std::string::npos) break;
    start = cut + 6;
  }
  std::vector<std::string> valid;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (trim(pieces[i]).empty()) {
      if (i != 0 && i + 1 != pieces.size()) return false;
    } else {
      valid.push_back(pieces[i]);
    }
  }
  return valid.size() == 2 && trim(valid[0]) != trim(valid[1]);
}

// The languages ResponseLanguageChecker can be asked for: lm-eval's LANGUAGE_CODES
// (instructions_util.py), the only codes its build_description accepts (another one is a
// KeyError there), all of them codes langdetect can return.
const std::vector<std::pair<std::string, std::string>>& response_languages() {
  static const std::vector<std::pair<std::string, std::string>> codes = {
      {"en", "English"},  {"es", "Spanish"}, {"pt", "Portuguese"}, {"ar", "Arabic"},   {"hi", "Hindi"},
      {"fr", "French"},   {"ru", "Russian"}, {"de", "German"},     {"ja", "Japanese"}, {"it", "Italian"},
      {"bn", "Bengali"},  {"uk", "Ukrainian"}, {"th", "Thai"},     {"ur", "Urdu"},     {"ta", "Tamil"},
      {"te", "Telugu"},   {"bg", "Bulgarian"}, {"ko", "Korean"},   {"pl", "Polish"},   {"he", "Hebrew"},
      {"fa", "Persian"},  {"vi", "Vietnamese"}, {"ne", "Nepali"},  {"sw", "Swahili"},  {"kn", "Kannada"},
      {"mr", "Marathi"},  {"gu", "Gujarati"}, {"pa", "Punjabi"},   {"ml", "Malayalam"}, {"fi", "Finnish"}};
  return codes;
}

// ResponseLanguageChecker: langdetect.detect(value) == language, where langdetect finding no
// n-gram of any profile in the response (LangDetectException) counts as followed. sftx runs
// langdetect with seed 0 (runtime/eval/langdetect.h says why).
bool in_language(const nlohmann::json& kw, const std::string& response) {
  const std::string language = string_arg(kw, "language");
  const auto& codes = response_languages();
  if (std::none_of(codes.begin(), codes.end(), [&](const auto& c) { return c.first == language; })) {
    std::string list;
    for (const auto& [code, name] : codes) list += (list.empty() ? "" : ", ") + code + " (" + name + ")";
    throw std::invalid_argument("argument \"language\" must be one of the 30 codes of the public instruction (got \"" +
                                language + "\"): " + list);
  }
  const auto detected = langdetect_detect(response);
  return !detected || *detected == language;
}

// The English part of CapitalLettersEnglishChecker / LowercaseLettersEnglishChecker:
// `value.isupper() and langdetect.detect(value) == "en"`, where a LangDetectException (no
// feature in the text) counts as followed; asked only once the case check holds, as Python's
// `and` does. The same langdetect port and seed 0 as response_language. langdetect reads a word
// with two capitals in a row from its first letter only, so much English in capitals is read as
// another language, and lm-eval's verdict with it.
bool in_english(const std::string& response) {
  const auto detected = langdetect_detect(response);
  return !detected || *detected == "en";
}

const std::vector<std::pair<std::string, Check>>& registry() {
  static const std::vector<std::pair<std::string, Check>> r = {
      {"language:response_language", [](auto& kw, const std::string& v) { return in_language(kw, v); }},
      {"punctuation:no_comma", [](auto&, const std::string& v) { return v.find(',') == std::string::npos; }},
      {"change_case:english_capital", [](auto&, const std::string& v) { return is_all_upper(v) && in_english(v); }},
      {"change_case:english_lowercase", [](auto&, const std::string& v) { return is_all_lower(v) && in_english(v); }},
      {"change_case:capital_word_frequency",
       [](auto& kw, const std::string& v) {
         return compare(kw, "capital_frequency", count_capital_words(v), "capital_relation");
       }},
      {"detectable_format:number_bullet_lists",
       [](auto& kw, const std::string& v) { return count_bullets(v) == int_arg(kw, "num_bullets"); }},
      {"detectable_format:constrained_response",
       [](auto&, const std::string& v) {
         std::string t = trim(v);
         for (const char* option : {"My answer is yes.", "My answer is no.", "My answer is maybe."})
           if (t.find(option) != std::string::npos) return true;
         return false;
       }},
      {"detectable_format:multiple_sections",
       [](auto& kw, const std::string& v) {
         // re.split(r"\s?" + spliter + r"\s?\d+\s?", value) has one more piece than matches.
         std::string pattern = R"(\s?)" + trim(string_arg(kw, "section_spliter")) + R"(\s?\d+\s?)";
         return static_cast<int64_t>(count_matches(pattern, v)) >= int_arg(kw, "num_sections");
       }},
      {"detectable_format:title", [](auto&, const std::string& v) { return has_title(v); }},
      {"detectable_format:json_format", [](auto&, const std::string& v) { return is_json(v); }},
      {"detectable_format:number_highlighted_sections",
       [](auto& kw, const std::string& v) { return count_highlights(v) >= int_arg(kw, "num_highlights"); }},
      {"detectable_content:postscript",
       [](auto& kw, const std::string& v) { return has_postscript(v, string_arg(kw, "postscript_marker")); }},
      {"detectable_content:number_placeholders",
       [](auto& kw, const std::string& v) {
         return static_cast<int64_t>(count_matches(R"(\[.*?\])", v)) >= int_arg(kw, "num_placeholders");
       }},
      {"keywords:existence",
       [](auto& kw, const std::string& v) {
         // re.search(keyword, value, flags=re.IGNORECASE)
         for (const auto& k : strings_arg(kw, "keywords"))
           if (!compiled("(?i)" + k).search(v)) return false;
         return true;
       }},
      {"keywords:forbidden_words",
       [](auto& kw, const std::string& v) {
         // re.search(r"\b" + word + r"\b", value, flags=re.IGNORECASE)
         for (const auto& w : strings_arg(kw, "forbidden_words"))
           if (compiled("(?i)\\b" + w + "\\b").search(v)) return false;
         return true;
       }},
      {"keywords:frequency",
       [](auto& kw, const std::string& v) {
         // len(re.findall(keyword.strip(), value, flags=re.IGNORECASE))
         auto n = count_matches("(?i)" + trim(string_arg(kw, "keyword")), v);
         return compare(kw, "frequency", static_cast<int64_t>(n));
       }},
      {"keywords:letter_frequency",
       [](auto& kw, const std::string& v) {
         // collections.Counter(value.lower())[letter.lower()], relation "less than" or else "at least";
         // str.lower() is Unicode: "İ" adds an "i", the Kelvin sign "K" a "k".
         std::string letter = str_lower(trim(string_arg(kw, "letter")));
         if (letter.size() != 1 || letter[0] < 'a' || letter[0] > 'z')
           throw std::invalid_argument("argument \"letter\" must be one ASCII letter");
         std::string lower = str_lower(v);
         auto n = static_cast<int64_t>(std::count(lower.begin(), lower.end(), letter[0]));
         int64_t want = int_arg(kw, "let_frequency");
         return string_arg(kw, "let_relation") == "less than" ? n < want : n >= want;
       }},
      {"length_constraints:number_words",
       [](auto& kw, const std::string& v) { return compare(kw, "num_words", count_words(v)); }},
      {"length_constraints:number_sentences",
       [](auto& kw, const std::string& v) {
         return compare(kw, "num_sentences", static_cast<int64_t>(punkt_sentences(v).size()));
       }},
      {"length_constraints:number_paragraphs",
       [](auto& kw, const std::string& v) { return paragraphs_ok(v, int_arg(kw, "num_paragraphs")); }},
      {"length_constraints:nth_paragraph_first_word",
       [](auto& kw, const std::string& v) { return nth_paragraph_first_word(kw, v); }},
      {"startend:end_checker",
       [](auto& kw, const std::string& v) {
         // value.strip().strip('"').lower().endswith(end_phrase.strip().lower()), str.lower() Unicode
         // (a byte suffix of UTF-8 is a code point suffix)
         std::string t = str_lower(strip_chars(trim(v), "\"", true, true));
         return ends_with(t, str_lower(trim(string_arg(kw, "end_phrase"))));
       }},
      {"startend:quotation",
       [](auto&, const std::string& v) {
         std::string t = trim(v);
         return t.size() > 1 && t.front() == '"' && t.back() == '"';
       }},
      {"combination:two_responses", [](auto&, const std::string& v) { return two_responses(v); }},
      {"combination:repeat_prompt",
       [](auto& kw, const std::string& v) {
         // value.strip().lower().startswith(prompt_to_repeat.strip().lower()), str.lower() Unicode
         return starts_with(str_lower(trim(v)), str_lower(trim(string_arg(kw, "prompt_to_repeat"))));
       }},
  };
  return r;
}

}  // namespace

const std::vector<std::string>& ifeval_instruction_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (const auto& [id, check] : registry()) out.push_back(id);
    return out;
  }();
  return ids;
}

bool is_known_ifeval_instruction(const std::string& id) {
  const auto& ids = ifeval_instruction_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool follows_instruction(const std::string& id, const nlohmann::json& kwargs, const std::string& response) {
  for (const auto& [name, check] : registry()) {
    if (name != id) continue;
    try {
      return check(kwargs.is_null() ? nlohmann::json::object() : kwargs, response);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(id + ": " + e.what());
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(id + ": bad argument: " + e.what());
    }
  }
  throw std::invalid_argument("unknown IFEval instruction \"" + id + "\"");
}

}  // namespace sftx::rt
