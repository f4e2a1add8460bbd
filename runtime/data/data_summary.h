// What `sftx data --stats` prints about a records file: record count, approximate tokens,
// length percentiles and composition by source. Tokens are whitespace-separated words (no
// tokenizer is involved at this point; a SentencePiece token count is typically 1.3-1.5x).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace sftx::rt {

struct DataSummary {
  int64_t records = 0;
  int64_t words = 0;       // whitespace-separated words over all messages
  int64_t chars = 0;       // Unicode characters over all messages
  int64_t chars_p50 = 0, chars_p90 = 0, chars_p99 = 0;  // per-record length percentiles
  std::map<std::string, int64_t> by_source;             // Record::source -> records
  nlohmann::json to_json() const;
};

// One streaming pass (keeps one length per record for the percentiles).
DataSummary summarize_records(const std::string& records_jsonl);

// Nearest-rank percentile (p in 0..100) of values; sorts them. 0 for none.
int64_t percentile(std::vector<int64_t>& values, double p);

}  // namespace sftx::rt
