#include "runtime/eval/langdetect.h"

#include <algorithm>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "runtime/eval/langdetect_profiles.h"
#include "runtime/eval/python_random.h"
#include "runtime/regex/regex.h"

namespace sftx::rt {
namespace {

// Detector's constants.
constexpr double kAlphaDefault = 0.5, kAlphaWidth = 0.05, kProbThreshold = 0.1, kConvThreshold = 0.99999;
constexpr int kIterationLimit = 1000, kTrials = 7, kBaseFreq = 10000;
constexpr size_t kMaxTextLength = 10000;

// Detector.append before the character loop: URL_RE and MAIL_RE matches become " " (ASCII
// patterns: matching the UTF-8 bytes is matching the code points).
std::string without_urls_and_mails(std::string_view text) {
  static const Regex url(R"(https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076})");
  static const Regex mail(R"([-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255})");
  return mail.replace_all(url.replace_all(text, " "), " ");
}

// NGram.normalize_vi: re.sub("([letters])([marks])", precomposed) left to right.
std::u32string normalize_vi(const std::u32string& text, const LangdetectProfiles& p) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (i + 1 < text.size()) {
      size_t letter = p.vi_letters.find(text[i]);
      size_t mark = letter == std::u32string::npos ? std::u32string::npos : p.vi_marks.find(text[i + 1]);
      if (mark != std::u32string::npos) {
        out.push_back(p.vi_normalized[mark][letter]);
        ++i;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// NGram.normalize (unicode_block's ranges for the blocks it names).
char32_t normalize(char32_t ch, const LangdetectProfiles& p) {
  if (ch <= 0x7F) return (ch < 'A' || (ch > 'Z' && ch < 'a') || ch > 'z') ? U' ' : ch;
  if (ch <= 0xFF) return p.latin1_exclude.find(ch) != std::u32string::npos ? U' ' : ch;
  if (ch >= 0x180 && ch <= 0x24F) {  // Latin Extended-B: Romanian comma below -> cedilla
    if (ch == 0x219) return 0x15F;
    if (ch == 0x21B) return 0x163;
    return ch;
  }
  if (ch >= 0x2000 && ch <= 0x206F) return U' ';  // General Punctuation
  if (ch >= 0x600 && ch <= 0x6FF) return ch == 0x6CC ? 0x64A : ch;  // Arabic: Farsi yeh
  if (ch >= 0x1E00 && ch <= 0x1EFF) return ch >= 0x1EA0 ? 0x1EC3 : ch;  // Latin Extended Additional
  if (ch >= 0x3040 && ch <= 0x309F) return 0x3042;  // Hiragana
  if (ch >= 0x30A0 && ch <= 0x30FF) return 0x30A2;  // Katakana
  if ((ch >= 0x3100 && ch <= 0x312F) || (ch >= 0x31A0 && ch <= 0x31BF)) return 0x3105;  // Bopomofo (Extended)
  if (ch >= 0x4E00 && ch <= 0x9FFF) {  // CJK Unified Ideographs
    auto it = p.cjk_map.find(ch);
    return it == p.cjk_map.end() ? ch : it->second;
  }
  if (ch >= 0xAC00 && ch <= 0xD7AF) return 0xAC00;  // Hangul Syllables
  return ch;
}

// str.isupper() of one character: Unicode's Uppercase property, as CPython's tables hold it.
bool is_upper(char32_t ch) { return u_hasBinaryProperty(static_cast<UChar32>(ch), UCHAR_UPPERCASE); }

// Detector.append and cleaning_text: the code points the n-grams are taken from.
std::u32string prepared_text(std::string_view utf8, const LangdetectProfiles& p) {
  std::u32string text = normalize_vi(utf8_to_code_points(without_urls_and_mails(utf8)), p);
  std::u32string kept;
  char32_t pre = 0;
  for (size_t i = 0; i < std::min(text.size(), kMaxTextLength); ++i) {
    char32_t ch = text[i];
    if (ch != U' ' || pre != U' ') kept.push_back(ch);
    pre = ch;
  }
  // cleaning_text. Its "and unicode_block(ch) != 'Latin Extended Additional'" compares the
  // block's number with a string, which is never equal: every code point >= U+0300 counts.
  size_t latin = 0, non_latin = 0;
  for (char32_t ch : kept) {
    if (ch >= U'A' && ch <= U'z') ++latin;
    else if (ch >= 0x300) ++non_latin;
  }
  if (latin * 2 < non_latin) {
    std::u32string without_latin;
    for (char32_t ch : kept)
      if (ch < U'A' || ch > U'z') without_latin.push_back(ch);
    kept = std::move(without_latin);
  }
  return kept;
}

// Detector._extract_ngrams with NGram.add_char: the profile index of every n-gram drawn from.
std::vector<uint32_t> extract_ngrams(const std::u32string& text, const LangdetectProfiles& p) {
  std::vector<uint32_t> out;
  char32_t grams[3] = {U' ', 0, 0};
  size_t len = 1;
  bool capital_word = false;
  for (char32_t raw : text) {
    char32_t ch = normalize(raw, p);
    char32_t last = grams[len - 1];
    if (last == U' ') {
      grams[0] = U' ';
      len = 1;
      capital_word = false;
      if (ch == U' ') continue;
    } else if (len >= 3) {
      grams[0] = grams[1];
      grams[1] = grams[2];
      len = 2;
    }
    grams[len++] = ch;
    if (is_upper(ch)) {
      if (is_upper(last)) capital_word = true;
    } else {
      capital_word = false;
    }
    if (capital_word) continue;
    for (size_t n = 1; n <= 3 && n <= len; ++n) {
      const char32_t* w = grams + (len - n);
      if (n == 1 && w[0] == U' ') continue;
      auto it = p.ngram_index.find(ngram_key(w, n));
      if (it != p.ngram_index.end()) out.push_back(it->second);
    }
  }
  return out;
}

// Detector._detect_block: the mean over the trials of each language's probability.
std::vector<double> detect_block(const std::vector<uint32_t>& ngrams, const LangdetectProfiles& p, uint32_t seed) {
  const size_t n_lang = p.languages.size();
  std::vector<double> langprob(n_lang, 0.0), prob(n_lang);
  PythonRandom random(seed);
  for (int t = 0; t < kTrials; ++t) {
    std::fill(prob.begin(), prob.end(), 1.0 / static_cast<double>(n_lang));
    const double alpha = kAlphaDefault + random.gauss(0.0, 1.0) * kAlphaWidth;
    const double weight = alpha / kBaseFreq;
    for (int i = 0;; ++i) {
      // _update_lang_prob: prob[i] *= weight + P(gram | language), P = 0 where the profile
      // lacks the gram (weight + 0.0 is weight exactly).
      const uint32_t g = ngrams[random.randbelow(ngrams.size())];
      size_t e = p.offsets[g];
      for (size_t l = 0; l < n_lang; ++l) {
        double pl = 0.0;
        if (e < p.offsets[g + 1] && p.entries[e].first == l) pl = p.entries[e++].second;
        prob[l] *= weight + pl;
      }
      if (i % 5 == 0) {
        // _normalize_prob: Python 3.11's sum() adds left to right (3.12's compensated sum
        // could differ in the last bits).
        double sum = 0.0, maxp = 0.0;
        for (double x : prob) sum += x;
        for (double& x : prob) {
          x /= sum;
          if (maxp < x) maxp = x;
        }
        if (maxp > kConvThreshold || i >= kIterationLimit) break;
      }
    }
    for (size_t j = 0; j < n_lang; ++j) langprob[j] += prob[j] / kTrials;
  }
  return langprob;
}

}  // namespace

const std::vector<std::string>& langdetect_languages() { return langdetect_profiles().languages; }

std::optional<std::vector<std::pair<std::string, double>>> langdetect_probabilities(std::string_view utf8,
                                                                                     uint32_t seed) {
  const auto& p = langdetect_profiles();
  auto ngrams = extract_ngrams(prepared_text(utf8, p), p);
  if (ngrams.empty()) return std::nullopt;  // LangDetectException: "No features in text."
  auto langprob = detect_block(ngrams, p, seed);
  std::vector<std::pair<std::string, double>> out;
  for (size_t j = 0; j < langprob.size(); ++j)
    if (langprob[j] > kProbThreshold) out.emplace_back(p.languages[j], langprob[j]);
  // list.sort(reverse=True) on probability: stable, so equal ones keep the language order.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::optional<std::string> langdetect_detect(std::string_view utf8, uint32_t seed) {
  auto probs = langdetect_probabilities(utf8, seed);
  if (!probs) return std::nullopt;
  return probs->empty() ? std::string("unknown") : probs->front().first;
}

}  // namespace sftx::rt
