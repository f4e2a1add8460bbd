// MinHash near-duplicate detection (Broder 1997) with LSH banding, as text-dedup and
// datasketch do it, written out so the result is deterministic and thread-count independent.
//
//   shingles   word n-grams (words() of text_normalize.h), each hashed with XXH3 over the
//              n word hashes; a text shorter than n words is one shingle of all its words.
//   signature  num_perm values: for permutation i, min over shingles of the top 32 bits of
//              (a_i * x + b_i) mod 2^64 (multiply-shift hashing; a_i odd, a_i and b_i from
//              splitmix64 seeded with a fixed constant, so signatures are stable across runs).
//   LSH        bands x rows <= num_perm, chosen for the threshold (optimal_bands_rows);
//              documents whose rows agree in some band are candidates.
//   verify     a candidate pair is a duplicate when its Jaccard is >= threshold: the exact
//              Jaccard of the two shingle sets when the caller can supply it (dedup.cc re-reads
//              just the candidate documents), else the estimate (share of equal signature
//              values, standard deviation about sqrt(J(1-J)/num_perm), 0.03 at 128).
//   clusters   union-find over verified pairs; the representative of a cluster is its
//              earliest document, so the kept set depends on input order only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sftx::rt {

struct MinHashParams {
  double threshold = 0.85;
  int num_perm = 128;
  int ngram = 5;
  int bands = 0;  // 0: choose with optimal_bands_rows
  int rows = 0;
};

// (bands, rows) minimising the weighted area of false positives below the threshold and false
// negatives above it, for the LSH S-curve 1 - (1 - s^rows)^bands. False negatives weigh 99x:
// a missed pair is lost for good, while a false candidate costs only a verification
// (for 0.85 and 128 this gives 14 x 9: a pair at J = 0.85 becomes a candidate with p = 0.975).
std::pair<int, int> optimal_bands_rows(double threshold, int num_perm);

class MinHasher {
 public:
  MinHasher(int num_perm, int ngram);
  int num_perm() const { return num_perm_; }
  // Writes num_perm values to out.
  void signature(std::string_view text, uint32_t* out) const;

 private:
  int num_perm_, ngram_;
  std::vector<uint64_t> a_, b_;
};

// Signatures of texts[i] at out[i * num_perm ...], computed by `threads` workers; the values
// do not depend on the thread count (each text is hashed alone).
void compute_signatures(const MinHasher& hasher, const std::vector<std::string>& texts, uint32_t* out, int threads);

double estimated_jaccard(const uint32_t* a, const uint32_t* b, int num_perm);

// The shingle set of a text as MinHasher hashes it (sorted, unique): for exact verification.
std::vector<uint64_t> shingle_hashes(std::string_view text, int ngram);
double exact_jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

struct CandidatePair {
  int64_t a, b;  // a < b
  double estimate;
};
// Given candidate pairs, returns their exact Jaccard, in order.
using ExactJaccardFn = std::function<std::vector<double>(const std::vector<CandidatePair>&)>;

struct MinHashClusters {
  std::vector<int64_t> representative;  // per document: the earliest document of its cluster
  int bands = 0, rows = 0;
  int64_t candidate_pairs = 0;  // distinct pairs sharing a band bucket
  int64_t verified_pairs = 0;   // pairs checked (estimate within kExactMargin, when exact)
  int64_t duplicate_pairs = 0;  // pairs found to be duplicates
  bool exact = false;           // verified by exact Jaccard
};

// With exact verification, pairs whose estimate is below threshold - kExactMargin (over three
// standard deviations at 128 permutations) are rejected without computing the exact value.
constexpr double kExactMargin = 0.1;

// Clusters n documents from their signatures (n * num_perm values). exact: optional.
MinHashClusters cluster_signatures(const std::vector<uint32_t>& signatures, int64_t n, const MinHashParams& params,
                                   const ExactJaccardFn& exact = {});

}  // namespace sftx::rt
