#include "runtime/eval/gsm8k.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace sftx::rt {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Every number in `text`, normalised: "-1,234.50" -> "-1234.50". A comma counts as a
// thousands separator only when three digits follow it, so "3,4" reads as two numbers.
// A trailing "." (end of sentence) is not part of the number.
std::vector<std::string> numbers_in(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    bool starts_with_point = text[i] == '.' && i + 1 < text.size() && is_digit(text[i + 1]) &&
                             (i == 0 || !is_digit(text[i - 1]));
    if (!is_digit(text[i]) && !starts_with_point) {
      ++i;
      continue;
    }
    std::string num;
    // A minus sign directly before the number (possibly with a "$" between) makes it negative.
    size_t s = i;
    if (s > 0 && text[s - 1] == '$') --s;
    if (s > 0 && text[s - 1] == '-' && (s < 2 || !std::isalnum(static_cast<unsigned char>(text[s - 2]))))
      num = "-";
    size_t j = i;
    bool seen_point = false;
    while (j < text.size()) {
      char c = text[j];
      if (is_digit(c)) {
        num += c;
        ++j;
      } else if (c == ',' && !seen_point && j + 3 < text.size() && is_digit(text[j + 1]) &&
                 is_digit(text[j + 2]) && is_digit(text[j + 3]) &&
                 (j + 4 >= text.size() || !is_digit(text[j + 4]))) {
        ++j;  // thousands separator
      } else if (c == '.' && !seen_point && j + 1 < text.size() && is_digit(text[j + 1])) {
        seen_point = true;
        num += c;
        ++j;
      } else {
        break;
      }
    }
    if (!num.empty() && num[0] == '.') num.insert(0, "0");
    if (num.size() >= 2 && num[0] == '-' && num[1] == '.') num.insert(1, "0");
    out.push_back(num);
    i = j;
  }
  return out;
}

}  // namespace

std::optional<std::string> extract_gsm8k_answer(std::string_view text) {
  size_t marker = text.rfind("####");
  if (marker != std::string_view::npos) {
    auto after = numbers_in(text.substr(marker + 4));
    if (!after.empty()) return after.front();
  }
  auto all = numbers_in(text);
  if (all.empty()) return std::nullopt;
  return all.back();
}

bool gsm8k_answers_equal(const std::string& predicted, const std::string& expected) {
  char* end_p = nullptr;
  char* end_e = nullptr;
  double p = std::strtod(predicted.c_str(), &end_p);
  double e = std::strtod(expected.c_str(), &end_e);
  if (end_p == predicted.c_str() || end_e == expected.c_str() || *end_p || *end_e)
    return predicted == expected;
  // Relative tolerance only absorbs decimal-representation noise ("0.1" vs "0.10").
  return std::fabs(p - e) <= 1e-9 * std::max(1.0, std::fabs(e));
}

Gsm8kVerdict score_gsm8k(std::string_view completion, std::string_view reference) {
  Gsm8kVerdict v;
  v.predicted = extract_gsm8k_answer(completion);
  v.expected = extract_gsm8k_answer(reference);
  v.correct = v.predicted && v.expected && gsm8k_answers_equal(*v.predicted, *v.expected);
  return v;
}

}  // namespace sftx::rt
