#include "runtime/data/data_summary.h"

#include <algorithm>
#include <cmath>

#include "runtime/data/record_io.h"
#include "runtime/data/text_normalize.h"

namespace sftx::rt {

namespace {
int64_t count_words(const std::string& s) {
  int64_t n = 0;
  bool in_word = false;
  for (unsigned char c : s) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}
}  // namespace

int64_t percentile(std::vector<int64_t>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

DataSummary summarize_records(const std::string& path) {
  DataSummary s;
  std::vector<int64_t> lengths;
  for_each_record(path, [&](Record&& r, int64_t) {
    int64_t chars = 0;
    for (const auto& m : r.messages) {
      chars += utf8_length(m.content);
      s.words += count_words(m.content);
    }
    s.chars += chars;
    lengths.push_back(chars);
    ++s.by_source[r.source];
    ++s.records;
  });
  s.chars_p50 = percentile(lengths, 50);
  s.chars_p90 = percentile(lengths, 90);
  s.chars_p99 = percentile(lengths, 99);
  return s;
}

nlohmann::json DataSummary::to_json() const {
  return {{"records", records},
          {"tokens_approx_words", words},
          {"chars", chars},
          {"chars_percentiles", {{"p50", chars_p50}, {"p90", chars_p90}, {"p99", chars_p99}}},
          {"by_source", by_source}};
}

}  // namespace sftx::rt
