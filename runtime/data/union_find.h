// Disjoint sets over 0..n-1 whose root is always the smallest member: a cluster's root is
// its earliest document, so "keep the root" is a deterministic choice of representative.
#pragma once

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace sftx::rt {

class UnionFind {
 public:
  explicit UnionFind(int64_t n) : parent_(static_cast<size_t>(n)) { std::iota(parent_.begin(), parent_.end(), int64_t{0}); }
  int64_t find(int64_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving
      x = parent_[x];
    }
    return x;
  }
  void unite(int64_t a, int64_t b) {
    a = find(a), b = find(b);
    if (a == b) return;
    if (a < b) parent_[b] = a;
    else parent_[a] = b;
  }

 private:
  std::vector<int64_t> parent_;
};

}  // namespace sftx::rt
