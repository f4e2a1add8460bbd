// MinHash dedup throughput and quality on a generated corpus with planted near-duplicates.
//
//   bench_minhash_dedup [--docs N] [--threads T] [--keep-file]
//
// Corpus: N documents (default 100,000) of about 1 KB: 170 words drawn from a 30,000-word
// pseudo-vocabulary (random documents share essentially no 5-gram). 10% of the documents are
// followed, somewhere later, by a planted variant with 1..24 words replaced at spaced
// positions, which puts the true Jaccard of the 5-gram sets between about 0.96 and 0.4. The
// true Jaccard of every planted pair is computed exactly from the shingle sets, and a pair
// counts as a duplicate when it is >= 0.85.
// Reported: signatures per second per core (1 thread and T threads), the whole in-memory
// dedup (signatures + LSH + union-find), the whole dedup transform on a JSONL file
// (read, hash, cluster, write), and recall and precision on the planted pairs with recall per
// Jaccard bucket.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <ctime>
#include <vector>

#include <xxhash.h>

#include "runtime/data/minhash.h"
#include "runtime/base/prng.h"
#include "runtime/data/record_io.h"
#include "runtime/data/text_normalize.h"
#include "runtime/data/transforms.h"

using namespace sftx::rt;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU seconds of the whole process: on a shared machine the honest "per core" denominator.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double text_jaccard(const std::string& a, const std::string& b, int n) {
  return exact_jaccard(shingle_hashes(a, n), shingle_hashes(b, n));
}

struct Planted {
  int64_t base, variant;
  double jaccard;
};

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n_docs = 100000;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--docs") && i + 1 < argc) n_docs = std::atoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: bench_minhash_dedup [--docs N] [--threads T]\n");
      return 2;
    }
  }
  const int kPerm = 128, kNgram = 5, kWords = 170;
  const double kThreshold = 0.85;

  // ---- corpus
  SplitMix64 g(2024);
  std::vector<std::string> vocab;
  for (int i = 0; i < 30000; ++i) {
    std::string w;
    int len = 3 + static_cast<int>(g.below(6));
    for (int k = 0; k < len; ++k) w.push_back(static_cast<char>('a' + g.below(26)));
    vocab.push_back(w);
  }
  auto make_words = [&] {
    std::vector<std::string> w(kWords);
    for (auto& x : w) x = vocab[g.below(vocab.size())];
    return w;
  };
  auto join = [](const std::vector<std::string>& w) {
    std::string s;
    for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
    return s;
  };
  std::vector<std::string> texts;
  std::vector<Planted> planted;
  std::vector<std::pair<int64_t, std::vector<std::string>>> pending;  // variants to place later
  texts.reserve(n_docs);
  while (static_cast<int64_t>(texts.size()) < n_docs) {
    if (!pending.empty() && g.below(4) == 0) {
      planted.push_back({pending.back().first, static_cast<int64_t>(texts.size()), 0});
      texts.push_back(join(pending.back().second));
      pending.pop_back();
      continue;
    }
    auto w = make_words();
    int64_t id = static_cast<int64_t>(texts.size());
    texts.push_back(join(w));
    if (g.below(10) == 0) {
      int changes = 1 + static_cast<int>(g.below(24));
      for (int c = 0; c < changes; ++c) w[static_cast<size_t>((c * kWords) / changes + g.below(kWords / changes))] = "zz" + vocab[g.below(vocab.size())];
      pending.emplace_back(id, std::move(w));
    }
  }
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  for (auto& p : planted) p.jaccard = text_jaccard(texts[p.base], texts[p.variant], kNgram);

  // ---- signatures, 1 thread and T threads
  MinHasher hasher(kPerm, kNgram);
  std::vector<uint32_t> sig1(texts.size() * kPerm), sigT(texts.size() * kPerm);
  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  compute_signatures(hasher, texts, sig1.data(), 1);
  double sig1_s = seconds_since(t0), sig1_cpu = cpu_seconds() - c0;
  t0 = Clock::now();
  c0 = cpu_seconds();
  compute_signatures(hasher, texts, sigT.data(), threads);
  double sigT_s = seconds_since(t0), sigT_cpu = cpu_seconds() - c0;
  bool same = sig1 == sigT;

  // ---- clustering
  MinHashParams mp;
  mp.threshold = kThreshold;
  ExactJaccardFn exact = [&](const std::vector<CandidatePair>& pairs) {
    std::vector<double> out;
    for (const auto& p : pairs) out.push_back(text_jaccard(texts[p.a], texts[p.b], kNgram));
    return out;
  };
  t0 = Clock::now();
  c0 = cpu_seconds();
  MinHashClusters c = cluster_signatures(sigT, static_cast<int64_t>(texts.size()), mp, exact);
  double cluster_s = seconds_since(t0), cluster_cpu = cpu_seconds() - c0;
  t0 = Clock::now();
  MinHashClusters ce = cluster_signatures(sigT, static_cast<int64_t>(texts.size()), mp);
  double cluster_est_s = seconds_since(t0);

  // ---- quality on the planted pairs; every predicted pair (doc, representative) judged by
  // its exact Jaccard
  struct Quality {
    int64_t positives = 0, found = 0, predicted = 0, correct = 0;
    std::map<int, std::pair<int64_t, int64_t>> by_bucket;  // floor(J*20) -> (pairs, found)
  };
  auto judge = [&](const MinHashClusters& cl) {
    Quality q;
    for (const auto& p : planted) {
      bool same_cluster = cl.representative[p.base] == cl.representative[p.variant];
      auto& b = q.by_bucket[static_cast<int>(p.jaccard * 20)];
      ++b.first;
      b.second += same_cluster;
      if (p.jaccard >= kThreshold) {
        ++q.positives;
        q.found += same_cluster;
      }
    }
    for (int64_t d = 0; d < static_cast<int64_t>(texts.size()); ++d) {
      int64_t r = cl.representative[d];
      if (r == d) continue;
      ++q.predicted;
      q.correct += text_jaccard(texts[d], texts[r], kNgram) >= kThreshold;
    }
    return q;
  };
  Quality qx = judge(c), qe = judge(ce);

  // ---- the whole transform on a JSONL file
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "sftx_bench_minhash";
  std::filesystem::create_directories(dir);
  {
    RecordWriter w((dir / "in.jsonl").string());
    for (size_t i = 0; i < texts.size(); ++i) {
      Record r;
      r.messages = {{"assistant", texts[i]}};
      r.source = "bench";
      r.origin = "bench:" + std::to_string(i + 1);
      w.write(r);
    }
    w.close();
  }
  t0 = Clock::now();
  c0 = cpu_seconds();
  DataStats st = dedup_records({{"method", "minhash"}, {"threshold", kThreshold}}, (dir / "in.jsonl").string(),
                               (dir / "out.jsonl").string(), threads);
  double transform_s = seconds_since(t0), transform_cpu = cpu_seconds() - c0;
  std::filesystem::remove_all(dir);

  double n = static_cast<double>(texts.size());
  std::printf("machine: %u hardware threads, %s\n", std::thread::hardware_concurrency(), cpu_model().c_str());
  std::printf("corpus: %lld documents, %.0f bytes/doc average, %zu planted pairs (%lld with Jaccard >= %.2f)\n",
              static_cast<long long>(texts.size()), bytes / n, planted.size(), static_cast<long long>(qx.positives), kThreshold);
  std::printf("minhash: %d permutations, %d-grams, LSH %d bands x %d rows\n", kPerm, kNgram, c.bands, c.rows);
  std::printf("signatures, 1 thread:   wall %.2f s, cpu %.2f s: %8.0f docs/s/core (per cpu second)\n", sig1_s, sig1_cpu,
              n / sig1_cpu);
  std::printf("signatures, %d threads: wall %.2f s, cpu %.2f s: %8.0f docs/s/core, %8.0f docs/s; identical to 1 thread: %s\n",
              threads, sigT_s, sigT_cpu, n / sigT_cpu, n / sigT_s, same ? "yes" : "NO");
  std::printf("LSH + exact verify + union-find: wall %.2f s, cpu %.2f s (%lld candidate pairs, %lld verified exactly, %lld duplicates)\n",
              cluster_s, cluster_cpu, static_cast<long long>(c.candidate_pairs), static_cast<long long>(c.verified_pairs),
              static_cast<long long>(c.duplicate_pairs));
  std::printf("LSH + estimate verify + union-find: wall %.2f s\n", cluster_est_s);
  std::printf("in-memory dedup (signatures + clustering): %8.0f docs/s/core (per cpu second)\n", n / (sigT_cpu + cluster_cpu));
  std::printf("dedup transform on JSONL (read, hash, cluster, exact verify, write), %d threads: wall %.2f s, cpu %.2f s: %8.0f "
              "docs/s/core; removed %lld\n",
              threads, transform_s, transform_cpu, n / transform_cpu, static_cast<long long>(st.removed));
  for (auto [name, q] : {std::pair<const char*, const Quality*>{"exact verify", &qx}, {"estimate verify", &qe}}) {
    std::printf("%s: recall at J >= %.2f: %.4f (%lld of %lld planted pairs); precision %.4f (%lld of %lld predicted pairs truly >= %.2f)\n",
                name, kThreshold, q->positives ? static_cast<double>(q->found) / q->positives : 0.0,
                static_cast<long long>(q->found), static_cast<long long>(q->positives),
                q->predicted ? static_cast<double>(q->correct) / q->predicted : 0.0, static_cast<long long>(q->correct),
                static_cast<long long>(q->predicted), kThreshold);
  }
  std::printf("recall by true Jaccard bucket (exact verify | estimate verify):\n");
  for (auto it = qx.by_bucket.rbegin(); it != qx.by_bucket.rend(); ++it) {
    auto e = qe.by_bucket[it->first];
    std::printf("  [%.2f, %.2f): %5lld pairs, %5.1f%% | %5.1f%% found\n", it->first / 20.0, (it->first + 1) / 20.0,
                static_cast<long long>(it->second.first), 100.0 * it->second.second / std::max<int64_t>(1, it->second.first),
                100.0 * e.second / std::max<int64_t>(1, e.first));
  }
  return same ? 0 : 1;
}
