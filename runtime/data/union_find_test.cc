#include "runtime/data/union_find.h"

#include <catch2/catch.hpp>

using sftx::rt::UnionFind;

TEST_CASE("union-find roots are the smallest member") {
  UnionFind uf(10);
  uf.unite(7, 3);
  uf.unite(9, 7);
  uf.unite(5, 6);
  CHECK(uf.find(9) == 3);
  CHECK(uf.find(7) == 3);
  CHECK(uf.find(6) == 5);
  uf.unite(6, 9);
  CHECK(uf.find(5) == 3);
  CHECK(uf.find(0) == 0);
}
