#include "runtime/eval/punkt.h"

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "runtime/base/embedded_file.h"
#include "runtime/eval/ifeval_text.h"
#include "runtime/regex/regex.h"

SFTX_EMBED_FILE(punkt_english_abbrev_types, "third_party/punkt/english/abbrev_types.txt");
SFTX_EMBED_FILE(punkt_english_collocations, "third_party/punkt/english/collocations.tab");
SFTX_EMBED_FILE(punkt_english_sent_starters, "third_party/punkt/english/sent_starters.txt");
SFTX_EMBED_FILE(punkt_english_ortho_context, "third_party/punkt/english/ortho_context.tab");

namespace sftx::rt {
namespace {

// ------------------------------------------------------------------ the model
struct PunktModel {
  std::unordered_set<std::string> abbrev_types, sent_starters;
  std::set<std::pair<std::string, std::string>> collocations;
  std::unordered_map<std::string, int> ortho_context;
};

// A text file's lines as Python iterates it: split after each "\n", that "\n" removed.
std::vector<std::string_view> file_lines(std::string_view file) {
  std::vector<std::string_view> lines;
  size_t b = 0;
  while (b < file.size()) {
    size_t e = file.find('\n', b);
    if (e == std::string_view::npos) e = file.size();
    lines.push_back(file.substr(b, e - b));
    b = e + 1;
  }
  return lines;
}

// nltk.tabdata's tab2tups: each line split at every tab.
std::vector<std::string_view> tab_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t b = 0;
  for (size_t e; (e = line.find('\t', b)) != std::string_view::npos; b = e + 1) fields.push_back(line.substr(b, e - b));
  fields.push_back(line.substr(b));
  return fields;
}

const PunktModel& english() {
  static const PunktModel model = [] {
    PunktModel m;
    for (auto line : file_lines(SFTX_EMBEDDED(punkt_english_abbrev_types))) m.abbrev_types.emplace(line);
    for (auto line : file_lines(SFTX_EMBEDDED(punkt_english_sent_starters))) m.sent_starters.emplace(line);
    for (auto line : file_lines(SFTX_EMBEDDED(punkt_english_collocations))) {
      const auto f = tab_fields(line);
      if (f.size() == 2) m.collocations.emplace(std::string(f[0]), std::string(f[1]));
    }
    for (auto line : file_lines(SFTX_EMBEDDED(punkt_english_ortho_context))) {
      const auto f = tab_fields(line);
      if (f.size() == 2) m.ortho_context[std::string(f[0])] = std::stoi(std::string(f[1]));
    }
    return m;
  }();
  return model;
}

// punkt.py's orthographic context flags.
constexpr int kBegUc = 1 << 1, kMidUc = 1 << 2, kUnkUc = 1 << 3, kBegLc = 1 << 4, kMidLc = 1 << 5, kUnkLc = 1 << 6;
constexpr int kUc = kBegUc + kMidUc + kUnkUc, kLc = kBegLc + kMidLc + kUnkLc;

// ------------------------------------------------------------------ characters
// The code point at byte i and its length in bytes (U+FFFD for a byte that is not UTF-8).
std::pair<char32_t, size_t> code_point_at(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto j = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(p, j, static_cast<int32_t>(s.size()), c);
  return {c < 0 ? U'\uFFFD' : static_cast<char32_t>(c), static_cast<size_t>(j) - i};
}

// \s of the `regex` module: Unicode White_Space.
bool regex_space(char32_t c) { return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_WHITE_SPACE); }

// Bytes of the run of `regex` white space starting at byte i.
size_t space_run(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size()) {
    auto [c, n] = code_point_at(s, j);
    if (!regex_space(c)) break;
    j += n;
  }
  return j - i;
}

// PunktLanguageVars._re_non_word_chars: punctuation that may follow an end mark directly.
bool non_word_char(char32_t c) {
  static const std::u32string set = U")\";}]*:@'({[\u2018\u2019\u201c\u201d\u00ab\u00bb!?";
  return set.find(c) != std::u32string::npos;
}

// PunktLanguageVars.re_boundary_realignment's closing quotes and brackets.
bool closer(char32_t c) {
  static const std::u32string set = U"\"')]}\u2018\u2019\u201c\u201d\u00ab\u00bb";
  return set.find(c) != std::u32string::npos;
}

// Python's str.rstrip(): the length without trailing white space (str.isspace).
size_t rstrip_length(std::string_view s) {
  // Walk forward remembering where the last non-space code point ended (UTF-8 cannot be
  // walked backwards safely when it may be invalid).
  size_t end = 0;
  for (size_t i = 0; i < s.size();) {
    auto [c, n] = code_point_at(s, i);
    i += n;
    if (!is_python_space(c)) end = i;
  }
  return end;
}

// ------------------------------------------------------------------ words
// PunktLanguageVars._word_tokenizer_re, with \s and \S as the `regex` module reads them
// (PCRE2's \s lacks U+0085 of White_Space).
const Regex& word_tokenizer() {
  static const Regex re = [] {
    const std::string s = R"re([\s\x{85}])re", ns = R"re([^\s\x{85}])re";
    const std::string non_word = R"re((?:[)";}\]\*:@'\({\[\x{2018}\x{2019}\x{201c}\x{201d}\x{ab}\x{bb}!?]))re";
    const std::string multi_char = R"re((?:\-{2,}|\.{2,}|(?:\.)re" + s + R"re(){2,}\.))re";
    const std::string word_start = R"re([^\(\"\`{\[:;&\#\*@\)}\]\-,])re";
    return Regex(multi_char + "|(?=" + word_start + ")" + ns + "+?(?=" + s + "|$|" + non_word + "|" + multi_char +
                 "|,(?=$|" + s + "|" + non_word + "|" + multi_char + "))|" + ns);
  }();
  return re;
}

struct Token {
  std::string tok, type;
  bool period_final = false, linestart = false, parastart = false;
  bool sentbreak = false, abbr = false, ellipsis = false;
};

// PunktToken._get_type: lower case, a number's type "##number##".
std::string token_type(const std::string& tok) {
  static const Regex numeric(R"(^-?[\.,]?\d[\d,\.-]*\.?$)");
  std::string lower = str_lower(tok);
  return numeric.search(lower) ? "##number##" : lower;
}

std::string type_no_period(const std::string& type) {
  return type.size() > 1 && type.back() == '.' ? type.substr(0, type.size() - 1) : type;
}

std::string type_no_sentperiod(const Token& t) { return t.sentbreak ? type_no_period(t.type) : t.type; }

bool first_upper(const Token& t) {
  auto [c, n] = code_point_at(t.tok, 0);
  return is_all_upper(std::string_view(t.tok).substr(0, n));
}

bool first_lower(const Token& t) {
  auto [c, n] = code_point_at(t.tok, 0);
  return is_all_lower(std::string_view(t.tok).substr(0, n));
}

// PunktToken.is_initial: [^\W\d]\.$ -- one word character that is no digit, then ".".
bool is_initial(const Token& t) {
  if (t.tok.empty()) return false;
  auto [c, n] = code_point_at(t.tok, 0);
  return n + 1 == t.tok.size() && t.tok.back() == '.' && is_regex_word_char(c) &&
         u_charType(static_cast<UChar32>(c)) != U_DECIMAL_DIGIT_NUMBER;
}

bool is_ellipsis(const std::string& tok) {  // \.\.+$ from the start
  return tok.size() >= 2 && tok.find_first_not_of('.') == std::string::npos;
}

// PunktBaseClass._tokenize_words: the words of each line, the first of a line marked as such
// (and as a paragraph's start after a blank line).
std::vector<Token> tokenize_words(std::string_view text) {
  std::vector<Token> tokens;
  bool parastart = false;
  size_t b = 0;
  while (true) {
    size_t e = text.find('\n', b);
    const std::string_view line = text.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
    if (!trim(line).empty()) {
      bool first = true;
      for (auto [wb, we] : word_tokenizer().find_all(line)) {
        Token t;
        t.tok = std::string(line.substr(wb, we - wb));
        t.type = token_type(t.tok);
        t.period_final = !t.tok.empty() && t.tok.back() == '.';
        if (first) {
          t.linestart = true;
          t.parastart = parastart;
          parastart = false;
          first = false;
        }
        tokens.push_back(std::move(t));
      }
    } else {
      parastart = true;
    }
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return tokens;
}

// ------------------------------------------------------------------ annotation
void first_pass(Token& t, const PunktModel& m) {
  const std::string& tok = t.tok;
  if (tok == "." || tok == "?" || tok == "!") {
    t.sentbreak = true;
  } else if (is_ellipsis(tok)) {
    t.ellipsis = true;
  } else if (t.period_final && !(tok.size() >= 2 && tok.compare(tok.size() - 2, 2, "..") == 0)) {
    const std::string base = str_lower(std::string_view(tok).substr(0, tok.size() - 1));
    const size_t dash = base.rfind('-');
    const std::string last = dash == std::string::npos ? base : base.substr(dash + 1);
    if (m.abbrev_types.count(base) || m.abbrev_types.count(last))
      t.abbr = true;
    else
      t.sentbreak = true;
  }
}

enum class Starter { no, yes, unknown };

// PunktSentenceTokenizer._ortho_heuristic: does `t` start a sentence?
Starter ortho_heuristic(const Token& t, const PunktModel& m) {
  if (t.tok.size() == 1 && std::string_view(";:,.!?").find(t.tok[0]) != std::string_view::npos) return Starter::no;
  const auto it = m.ortho_context.find(type_no_sentperiod(t));
  const int ctx = it == m.ortho_context.end() ? 0 : it->second;
  if (first_upper(t) && (ctx & kLc) && !(ctx & kMidUc)) return Starter::yes;
  if (first_lower(t) && ((ctx & kUc) || !(ctx & kBegLc))) return Starter::no;
  return Starter::unknown;
}

// PunktSentenceTokenizer._second_pass_annotation: `t` in the light of the word after it.
void second_pass(Token& t, const Token& next, const PunktModel& m) {
  if (!t.period_final) return;
  const std::string typ = type_no_period(t.type);
  const std::string next_typ = type_no_sentperiod(next);
  const bool initial = is_initial(t);
  if (m.collocations.count({typ, next_typ})) {  // collocation heuristic
    t.sentbreak = false;
    t.abbr = true;
    return;
  }
  if ((t.abbr || t.ellipsis) && !initial) {  // an abbreviation or ellipsis may also end a sentence
    if (ortho_heuristic(next, m) == Starter::yes) {
      t.sentbreak = true;
      return;
    }
    if (first_upper(next) && m.sent_starters.count(next_typ)) {
      t.sentbreak = true;
      return;
    }
  }
  if (initial || typ == "##number##") {  // initials and ordinals
    const Starter starter = ortho_heuristic(next, m);
    if (starter == Starter::no) {
      t.sentbreak = false;
      t.abbr = true;
      return;
    }
    if (starter == Starter::unknown && initial && first_upper(next)) {
      const auto it = m.ortho_context.find(next_typ);
      if (!(it != m.ortho_context.end() && (it->second & kLc))) {
        t.sentbreak = false;
        t.abbr = true;
      }
    }
  }
}

// PunktSentenceTokenizer.text_contains_sentbreak: a word other than the last is a break.
bool contains_sentbreak(std::string_view context, const PunktModel& m) {
  std::vector<Token> tokens = tokenize_words(context);
  for (Token& t : tokens) first_pass(t, m);
  // Lazily chained in punkt.py: word i's second pass sees word i + 1 after its first pass only.
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    second_pass(tokens[i], tokens[i + 1], m);
    if (tokens[i].sentbreak) return true;
  }
  return false;
}

// ------------------------------------------------------------------ candidate ends
struct EndMatch {
  size_t at;                        // the end mark's byte
  size_t after_end;                 // end of the lookahead group after_tok
  std::optional<size_t> next_tok;   // start of next_tok, when the mark is followed by white space
};

// PunktLanguageVars.period_context_re's matches: [.?!] followed by non-word punctuation, or by
// white space and a token (\S+, greedy).
std::vector<EndMatch> end_marks(std::string_view text) {
  std::vector<EndMatch> out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '.' && c != '?' && c != '!') continue;
    const size_t after = i + 1;
    if (after < text.size()) {
      auto [ch, n] = code_point_at(text, after);
      if (non_word_char(ch)) {
        out.push_back({i, after + n, std::nullopt});
        continue;
      }
    }
    const size_t ws = space_run(text, after);
    if (ws == 0) continue;
    size_t j = after + ws;
    while (j < text.size()) {
      auto [ch, n] = code_point_at(text, j);
      if (regex_space(ch)) break;
      j += n;
    }
    if (j == after + ws) continue;  // white space to the end
    out.push_back({i, j, after + ws});
  }
  return out;
}

// _match_potential_end_contexts: each match with its context (the word before it, the mark and
// what follows); a match whose word overlaps the next match's is dropped.
std::vector<std::pair<EndMatch, std::string>> end_contexts(std::string_view text) {
  std::vector<std::pair<EndMatch, std::string>> out;
  size_t prev_start = 0, prev_stop = 0;
  std::optional<EndMatch> prev;
  auto context = [&](const EndMatch& m, size_t start, size_t stop) {
    return std::string(text.substr(start, stop - start)) + std::string(text.substr(m.at, m.after_end - m.at));
  };
  for (const EndMatch& m : end_marks(text)) {
    // _get_last_whitespace_index over text[prev_stop : m.at]: string.whitespace, and an index of
    // 0 read as "none" (as punkt.py reads it).
    size_t last_space = 0;
    for (size_t i = m.at; i > prev_stop; --i) {
      const char c = text[i - 1];
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        last_space = i - 1 - prev_stop;
        break;
      }
    }
    const size_t word_start = last_space ? prev_stop + last_space + 1 : prev_start;
    if (prev && prev_stop <= word_start) out.emplace_back(*prev, context(*prev, prev_start, prev_stop));
    prev = m;
    prev_start = word_start;
    prev_stop = m.at;
  }
  if (prev) out.emplace_back(*prev, context(*prev, prev_start, prev_stop));
  return out;
}

// re_boundary_realignment.match(s): closing quotes and brackets (as few as may be) followed by
// white space, "--" or a line's end; the match's end and its length without the white space.
std::optional<std::pair<size_t, size_t>> realignment(std::string_view s) {
  size_t k = 0;
  while (k < s.size()) {
    auto [c, n] = code_point_at(s, k);
    if (!closer(c)) return std::nullopt;
    k += n;
    if (const size_t ws = space_run(s, k)) return std::make_pair(k + ws, k);
    if (s.substr(k, 2) == "--" || k == s.size() || s[k] == '\n') return std::make_pair(k, k);
  }
  return std::nullopt;
}

struct Span {
  size_t start, stop;
};

std::string_view slice(std::string_view text, Span s) {
  if (s.start >= s.stop || s.start >= text.size()) return {};
  return text.substr(s.start, s.stop - s.start);
}

}  // namespace

std::vector<std::string_view> punkt_sentences(std::string_view text) {
  const PunktModel& m = english();
  // _slices_from_text
  std::vector<Span> slices;
  size_t last_break = 0;
  for (const auto& [match, context] : end_contexts(text)) {
    if (!contains_sentbreak(context, m)) continue;
    slices.push_back({last_break, match.at + 1});
    last_break = match.next_tok ? *match.next_tok : match.at + 1;
  }
  slices.push_back({last_break, rstrip_length(text)});
  // _realign_boundaries
  std::vector<std::string_view> out;
  size_t realign = 0;
  for (size_t i = 0; i < slices.size(); ++i) {
    const Span s1{slices[i].start + realign, slices[i].stop};
    if (i + 1 == slices.size()) {
      if (!slice(text, s1).empty()) out.push_back(slice(text, s1));
      continue;
    }
    const Span s2 = slices[i + 1];
    if (auto r = realignment(slice(text, s2))) {
      out.push_back(slice(text, {s1.start, s2.start + r->second}));
      realign = r->first;
    } else {
      realign = 0;
      if (!slice(text, s1).empty()) out.push_back(slice(text, s1));
    }
  }
  return out;
}

}  // namespace sftx::rt
