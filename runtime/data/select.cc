// split(fraction, part), take(n), sample(n): choosing records without changing them.
//   split: exactly floor(fraction * |d|) records (a seeded choice, permutation.h) form the
//          "validation" part; the rest are "train" (the default part). Both parts keep the
//          input order, and the two parts of one seed are disjoint and cover d.
//   take:  the first n records.
//   sample: a seeded choice of min(n, |d|) records, in input order.
#include "runtime/data/data_error.h"
#include "runtime/data/permutation.h"
#include "runtime/data/record_io.h"
#include "runtime/data/transform_params.h"
#include "runtime/data/transforms.h"

namespace sftx::rt {

namespace {
constexpr uint64_t kSplitStream = 0x53504c4954;  // "SPLIT"
constexpr uint64_t kSampleStream = 0x53414d504c45;  // "SAMPLE"

// Streams `in`, writing line i when keep(i).
template <typename Keep>
int64_t copy_where(const std::string& in, const std::string& out_path, Keep&& keep) {
  RecordWriter out(out_path);
  LineReader reader(in);
  std::string line;
  int64_t i = 0;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (keep(i++)) out.write_line(line);
  }
  out.close();
  return out.count();
}
}  // namespace

DataStats split_records(const nlohmann::json& params, const std::string& in, const std::string& out, uint64_t seed) {
  TransformParams p("split", params, {"fraction", "part"});
  if (!p.has("fraction")) throw DataError("split: missing parameter \"fraction\" (the validation share, e.g. 1/10)");
  Fraction f = p.fraction("fraction", {});
  if (f.num < 0 || f.num > f.den) throw DataError("split: \"fraction\" must be between 0 and 1");
  std::string part = p.string("part", "train");
  if (part != "train" && part != "validation")
    throw DataError("split: \"part\" must be \"train\" or \"validation\", not \"" + part + "\"");
  int64_t n = count_records(in);
  int64_t m = floor_scaled(f.num, f.den, n);
  std::vector<bool> validation = choose_mask(static_cast<uint64_t>(n), static_cast<uint64_t>(m), derive_seed(seed, kSplitStream));
  bool want_validation = part == "validation";
  DataStats st;
  st.records = copy_where(in, out, [&](int64_t i) { return validation[static_cast<size_t>(i)] == want_validation; });
  st.removed = n - st.records;
  st.details = {{"part", part}, {"validation_records", m}, {"train_records", n - m}};
  return st;
}

DataStats take_records(const nlohmann::json& params, const std::string& in, const std::string& out) {
  TransformParams p("take", params, {"n"});
  if (!p.has("n")) throw DataError("take: missing parameter \"n\"");
  int64_t n = p.integer("n", 0);
  if (n < 0) throw DataError("take: \"n\" must be >= 0");
  DataStats st;
  st.records = copy_where(in, out, [&](int64_t i) { return i < n; });
  st.removed = count_records(in) - st.records;
  return st;
}

DataStats sample_records(const nlohmann::json& params, const std::string& in, const std::string& out, uint64_t seed) {
  TransformParams p("sample", params, {"n"});
  if (!p.has("n")) throw DataError("sample: missing parameter \"n\"");
  int64_t want = p.integer("n", 0);
  if (want < 0) throw DataError("sample: \"n\" must be >= 0");
  int64_t n = count_records(in);
  int64_t m = std::min(want, n);
  std::vector<bool> mask = choose_mask(static_cast<uint64_t>(n), static_cast<uint64_t>(m), derive_seed(seed, kSampleStream));
  DataStats st;
  st.records = copy_where(in, out, [&](int64_t i) { return mask[static_cast<size_t>(i)]; });
  st.removed = n - m;
  if (want > n) st.details["note"] = "asked for " + std::to_string(want) + " records, the data has " + std::to_string(n);
  return st;
}

}  // namespace sftx::rt
