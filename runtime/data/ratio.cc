// k * d and mix(d1, d2, ...) exactly as the contract (§4) says.
//
// scale_data: k = num/den. floor(k) full copies of d, then floor((k - floor(k)) * |d|)
// records chosen by a seeded partial Fisher–Yates permutation (permutation.h), written in their
// original order. So 1/256 of 1000 records is exactly 3, 5/4 of 7 is 7 + 1, 0 * d is empty;
// and with one seed, 1/16 of d is a subset of 1/4 of d (the same permutation's prefix).
// mix_data: every record of every input, in the order of a seeded permutation. It indexes
// byte offsets (16 bytes a record) and seeks, rather than holding the records.
#include <string>

#include "runtime/api.h"
#include "runtime/data/data_error.h"
#include "runtime/data/permutation.h"
#include "runtime/data/record_io.h"

namespace sftx::rt {

namespace {
constexpr uint64_t kScaleStream = 0x5343414c45;  // "SCALE"
constexpr uint64_t kMixStream = 0x4d4958;        // "MIX"

void copy_lines(const std::string& in, RecordWriter& out, const std::vector<bool>* mask) {
  LineReader reader(in);
  std::string line;
  size_t i = 0;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!mask || (*mask)[i]) out.write_line(line);
    ++i;
  }
}
}  // namespace

DataStats scale_data(const std::string& in_jsonl, Fraction k, uint64_t seed, const std::string& out_jsonl) {
  if (k.den <= 0 || k.num < 0)
    throw DataError("scale: the ratio must be a number >= 0, not " + std::to_string(k.num) + "/" + std::to_string(k.den));
  const int64_t n = count_records(in_jsonl);
  const int64_t copies = k.num / k.den;
  const int64_t sampled = floor_scaled(k.num % k.den, k.den, n);
  RecordWriter out(out_jsonl);
  for (int64_t c = 0; c < copies; ++c) copy_lines(in_jsonl, out, nullptr);
  if (sampled > 0) {
    std::vector<bool> mask = choose_mask(static_cast<uint64_t>(n), static_cast<uint64_t>(sampled), derive_seed(seed, kScaleStream));
    copy_lines(in_jsonl, out, &mask);
  }
  out.close();
  DataStats st;
  st.records = out.count();
  st.removed = copies == 0 ? n - sampled : 0;
  st.details = {{"k", std::to_string(k.num) + "/" + std::to_string(k.den)},
                {"input_records", n},
                {"full_copies", copies},
                {"sampled", sampled}};
  return st;
}

DataStats mix_data(const std::vector<std::string>& in_jsonl, uint64_t seed, const std::string& out_jsonl) {
  RecordIndex index(in_jsonl);
  RecordWriter out(out_jsonl);
  for (uint64_t i : permutation(static_cast<uint64_t>(index.size()), derive_seed(seed, kMixStream)))
    out.write_line(index.line(static_cast<int64_t>(i)));
  out.close();
  DataStats st;
  st.records = out.count();
  nlohmann::json per_input = nlohmann::json::array();
  for (const auto& p : in_jsonl) per_input.push_back(count_records(p));
  st.details = {{"input_records", per_input}};
  return st;
}

}  // namespace sftx::rt
