// decontaminate(data, benchmarks..., ngram = 13): drop training records that overlap an
// evaluation set, as GPT-3 and the Llama papers did with 13-gram overlap.
//   - n-gram overlap: any word n-gram (words() of text_normalize.h, whole record text) shared
//     with any benchmark record;
//   - equality: the record's normalised text, or any of its user turns, equals a benchmark
//     record's normalised text or one of its user turns (catches short prompts that have no
//     n-gram of the required length).
// Holds the benchmarks' n-gram hashes (benchmarks are small); streams the training data.
// details["removed_examples"] names each removed origin, the reason, the benchmark record it
// matched and the shared n-gram.
#include <unordered_map>

#include <xxhash.h>

#include "runtime/data/data_error.h"
#include "runtime/data/record_io.h"
#include "runtime/data/removal_report.h"
#include "runtime/data/text_normalize.h"
#include "runtime/data/transform_params.h"
#include "runtime/data/transforms.h"

namespace sftx::rt {

namespace {

uint64_t text_hash(const std::string& s) {
  std::string n = normalize_text(s);
  return XXH3_64bits(n.data(), n.size());
}

// The texts an equality check compares: the whole record and each user turn.
std::vector<uint64_t> equality_keys(const Record& r) {
  std::vector<uint64_t> keys = {text_hash(record_text(r))};
  for (const auto& m : r.messages)
    if (m.role == "user" && !normalize_text(m.content).empty()) keys.push_back(text_hash(m.content));
  return keys;
}

class BenchmarkIndex {
 public:
  explicit BenchmarkIndex(int ngram) : n_(ngram) {}
  void add(const Record& r) {
    uint32_t id = static_cast<uint32_t>(origins_.size());
    origins_.push_back(r.origin);
    for (uint64_t k : equality_keys(r)) equal_.emplace(k, id);
    std::vector<uint64_t> w = word_hashes(record_text(r));
    for (size_t i = 0; i + n_ <= w.size(); ++i) grams_.emplace(XXH3_64bits(&w[i], n_ * sizeof(uint64_t)), id);
  }
  size_t records() const { return origins_.size(); }
  size_t ngrams() const { return grams_.size(); }

  // Empty reason when r is clean.
  void check(const Record& r, std::string& reason, nlohmann::json& detail) const {
    for (uint64_t k : equality_keys(r))
      if (auto it = equal_.find(k); it != equal_.end()) {
        reason = "equal after normalisation";
        detail = {{"benchmark", origins_[it->second]}};
        return;
      }
    std::string text = record_text(r);
    std::vector<uint64_t> w = word_hashes(text);
    for (size_t i = 0; i + n_ <= w.size(); ++i)
      if (auto it = grams_.find(XXH3_64bits(&w[i], n_ * sizeof(uint64_t))); it != grams_.end()) {
        reason = std::to_string(n_) + "-gram overlap";
        std::vector<std::string> ws = words(text);
        std::string gram;
        for (size_t j = i; j < i + n_; ++j) gram += (j > i ? " " : "") + ws[j];
        detail = {{"benchmark", origins_[it->second]}, {"ngram", gram}};
        return;
      }
  }

 private:
  size_t n_;
  std::vector<std::string> origins_;
  std::unordered_map<uint64_t, uint32_t> equal_, grams_;
};

}  // namespace

DataStats decontaminate_records(const nlohmann::json& params, const std::string& in,
                                const std::vector<std::string>& benchmarks, const std::string& out_path) {
  TransformParams p("decontaminate", params, {"ngram"});
  int64_t ngram = p.integer("ngram", kDecontaminateNgram);
  if (ngram < 1 || ngram > 1000) throw DataError("decontaminate: ngram must be in 1..1000");
  if (benchmarks.empty()) throw DataError("decontaminate: needs at least one benchmark data argument");
  BenchmarkIndex index(static_cast<int>(ngram));
  for (const auto& b : benchmarks) for_each_record(b, [&](Record&& r, int64_t) { index.add(r); });

  RemovalReport report(100);
  RecordWriter out(out_path);
  for_each_record(in, [&](Record&& r, int64_t) {
    std::string reason;
    nlohmann::json detail;
    index.check(r, reason, detail);
    if (reason.empty()) out.write(r);
    else report.add(r.origin, reason, detail);
  });
  out.close();
  DataStats st;
  st.records = out.count();
  st.removed = report.total();
  report.write_into(st.details);
  st.details["ngram"] = ngram;
  st.details["benchmark_records"] = index.records();
  return st;
}

}  // namespace sftx::rt
