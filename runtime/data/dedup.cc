// dedup("exact") and dedup("minhash", threshold, num_perm, ngram, verify = "exact"|"estimate"):
// keep one record per group of duplicates, the earliest. (minhash.h explains the method;
// verify "exact" re-reads the candidate documents to compare their shingle sets exactly.) Both run in two streaming passes: the first computes, per
// record, the index of its group's earliest record (holding hashes or signatures, never the
// records: 16 bytes a record for exact, 4 * num_perm for minhash); the second writes the
// records that are their own representative and reports the others with what they duplicate.
#include <unordered_map>

#include <xxhash.h>

#include "runtime/data/data_error.h"
#include "runtime/data/minhash.h"
#include "runtime/data/record_io.h"
#include "runtime/data/removal_report.h"
#include "runtime/data/text_normalize.h"
#include "runtime/data/transform_params.h"
#include "runtime/data/transforms.h"

namespace sftx::rt {

namespace {

struct Hash128 {
  uint64_t lo, hi;
  bool operator==(const Hash128& o) const { return lo == o.lo && hi == o.hi; }
};
struct Hash128Hasher {
  size_t operator()(const Hash128& h) const { return static_cast<size_t>(h.lo); }
};

// Exact: same text after normalize_text (role-prefixed, so a question and its echo differ).
std::vector<int64_t> exact_representatives(const std::string& in) {
  std::unordered_map<Hash128, int64_t, Hash128Hasher> first;
  std::vector<int64_t> rep;
  for_each_record(in, [&](Record&& r, int64_t) {
    std::string text;
    for (const auto& m : r.messages) text += m.role + ": " + m.content + "\n";
    std::string norm = normalize_text(text);
    XXH128_hash_t h = XXH3_128bits(norm.data(), norm.size());
    int64_t i = static_cast<int64_t>(rep.size());
    auto [it, inserted] = first.emplace(Hash128{h.low64, h.high64}, i);
    rep.push_back(it->second);
  });
  return rep;
}

MinHashClusters minhash_representatives(const std::string& in, const MinHashParams& mp, bool exact_verify, int threads) {
  MinHasher hasher(mp.num_perm, mp.ngram);
  std::vector<uint32_t> sig;
  std::vector<std::string> batch;
  int64_t n = 0;
  const size_t kBatch = 8192;  // texts held at once
  auto flush = [&] {
    sig.resize(static_cast<size_t>(n + static_cast<int64_t>(batch.size())) * mp.num_perm);
    compute_signatures(hasher, batch, &sig[static_cast<size_t>(n) * mp.num_perm], threads);
    n += static_cast<int64_t>(batch.size());
    batch.clear();
  };
  for_each_record(in, [&](Record&& r, int64_t) {
    batch.push_back(record_text(r));
    if (batch.size() == kBatch) flush();
  });
  flush();
  if (!exact_verify) return cluster_signatures(sig, n, mp);
  // Exact verification: re-read only the documents in plausible candidate pairs and compare
  // their shingle sets (held for those documents alone).
  ExactJaccardFn exact = [&](const std::vector<CandidatePair>& pairs) {
    std::unordered_map<int64_t, std::vector<uint64_t>> shingles;
    for (const auto& p : pairs) {
      shingles.try_emplace(p.a);
      shingles.try_emplace(p.b);
    }
    int64_t i = 0;
    for_each_record(in, [&](Record&& r, int64_t) {
      if (auto it = shingles.find(i++); it != shingles.end()) it->second = shingle_hashes(record_text(r), mp.ngram);
    });
    std::vector<double> out;
    for (const auto& p : pairs) out.push_back(exact_jaccard(shingles[p.a], shingles[p.b]));
    return out;
  };
  return cluster_signatures(sig, n, mp, exact);
}

// Second pass: writes representatives, reports the rest with the origin they duplicate.
DataStats write_representatives(const std::string& in, const std::string& out_path, const std::vector<int64_t>& rep,
                                const std::string& reason) {
  RemovalReport report;
  // Origins of the representatives that the listed examples name, found as the pass goes by.
  std::unordered_map<int64_t, std::string> wanted;
  size_t listed = 0;
  for (size_t i = 0; i < rep.size() && listed < 20; ++i)
    if (rep[i] != static_cast<int64_t>(i)) {
      wanted.emplace(rep[i], "");
      ++listed;
    }
  std::vector<int64_t> example_rep;
  RecordWriter out(out_path);
  int64_t i = 0;
  for_each_record(in, [&](Record&& r, int64_t) {
    if (auto it = wanted.find(i); it != wanted.end()) it->second = r.origin;
    if (rep[i] == i) {
      out.write(r);
    } else {
      if (report.listed() < 20) example_rep.push_back(rep[i]);
      report.add(r.origin, reason);
    }
    ++i;
  });
  out.close();
  for (size_t e = 0; e < report.listed(); ++e) report.example(e)["duplicate_of"] = wanted[example_rep[e]];
  DataStats st;
  st.records = out.count();
  st.removed = report.total();
  report.write_into(st.details);
  return st;
}

}  // namespace

DataStats dedup_records(const nlohmann::json& params, const std::string& in, const std::string& out, int threads) {
  TransformParams p("dedup", params, {"method", "threshold", "num_perm", "ngram", "bands", "rows", "verify"});
  std::string method = p.string("method", "exact");
  if (method == "exact") {
    if (p.has("threshold") || p.has("num_perm") || p.has("ngram"))
      throw DataError("dedup: threshold, num_perm and ngram apply to method \"minhash\" only");
    DataStats st = write_representatives(in, out, exact_representatives(in), "exact duplicate");
    st.details["method"] = "exact";
    return st;
  }
  if (method != "minhash") throw DataError("dedup: method must be \"exact\" or \"minhash\", not \"" + method + "\"");
  MinHashParams mp;
  // Defaults: MinHashParams' (the language's dedup entry reads the same ones).
  mp.threshold = p.number("threshold", mp.threshold);
  mp.num_perm = static_cast<int>(p.integer("num_perm", mp.num_perm));
  mp.ngram = static_cast<int>(p.integer("ngram", mp.ngram));
  mp.bands = static_cast<int>(p.integer("bands", 0));
  mp.rows = static_cast<int>(p.integer("rows", 0));
  if (mp.threshold <= 0 || mp.threshold > 1) throw DataError("dedup: threshold must be in (0, 1]");
  if (mp.num_perm < 1 || mp.num_perm > 4096) throw DataError("dedup: num_perm must be in 1..4096");
  if (mp.ngram < 1) throw DataError("dedup: ngram must be >= 1");
  if (mp.bands * mp.rows > mp.num_perm) throw DataError("dedup: bands * rows must not exceed num_perm");
  std::string verify = p.string("verify", "exact");
  if (verify != "exact" && verify != "estimate")
    throw DataError("dedup: verify must be \"exact\" or \"estimate\", not \"" + verify + "\"");
  MinHashClusters c = minhash_representatives(in, mp, verify == "exact", threads > 0 ? threads : default_threads());
  DataStats st = write_representatives(in, out, c.representative, "near duplicate (minhash)");
  st.details["method"] = "minhash";
  st.details["bands"] = c.bands;
  st.details["rows"] = c.rows;
  st.details["verify"] = verify;
  st.details["candidate_pairs"] = c.candidate_pairs;
  st.details["verified_pairs"] = c.verified_pairs;
  st.details["duplicate_pairs"] = c.duplicate_pairs;
  return st;
}

}  // namespace sftx::rt
