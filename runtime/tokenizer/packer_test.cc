#include "runtime/tokenizer/packer.h"

#include <catch2/catch.hpp>

#include "runtime/tokenizer/test_corpus.h"

using namespace sftx::rt;

namespace {
EncodedDocument doc(int first_id, size_t n, size_t prompt_len) {
  EncodedDocument d;
  for (size_t i = 0; i < n; ++i) {
    d.ids.push_back(first_id + static_cast<int>(i));
    d.loss_mask.push_back(i >= prompt_len ? 1 : 0);
  }
  return d;
}
template <typename T>
std::vector<T> row(const T* p, size_t n) {
  return std::vector<T>(p, p + n);
}
}  // namespace

TEST_CASE("packed mode keeps whole documents and their boundaries", "[packer]") {
  const auto dir = testing::scratch_dir("packer_packed");
  const std::string path = (dir / "p.shard").string();
  PackCounts counts;
  {
    ShardWriter w(path, 8, 100, true, 0, 2);
    Packer p(w, 8, true, 0);
    p.add(doc(10, 3, 1));  // block 0, segment 1
    p.add(doc(20, 4, 2));  // block 0, segment 2 (3 + 4 = 7 <= 8)
    p.add(doc(30, 3, 1));  // does not fit in the 1 left: block 1
    p.add(doc(40, 12, 4)); // longer than a block: truncated, own block
    p.add(doc(60, 2, 1));  // block 3
    p.finish();
    w.finish();
    counts = p.counts();
  }
  CHECK(counts.documents == 5);
  CHECK(counts.blocks == 4);
  CHECK(counts.truncated == 1);
  CHECK(counts.tokens == 3 + 4 + 3 + 8 + 2);
  CHECK(counts.loss_tokens == 2 + 2 + 2 + 4 + 1);

  ShardReader r(path);
  REQUIRE(r.num_blocks() == 4);
  CHECK(row(r.tokens(0), 8) == std::vector<int32_t>{10, 11, 12, 20, 21, 22, 23, 0});
  CHECK(row(r.segments(0), 8) == std::vector<uint16_t>{1, 1, 1, 2, 2, 2, 2, 0});
  CHECK(row(r.loss_mask(0), 8) == std::vector<uint8_t>{0, 1, 1, 0, 0, 1, 1, 0});
  CHECK(r.positions(0) == std::vector<int32_t>{0, 1, 2, 0, 1, 2, 3, 0});
  CHECK(row(r.tokens(1), 8) == std::vector<int32_t>{30, 31, 32, 0, 0, 0, 0, 0});
  CHECK(row(r.segments(1), 8) == std::vector<uint16_t>{1, 1, 1, 0, 0, 0, 0, 0});
  CHECK(row(r.tokens(2), 8) == std::vector<int32_t>{40, 41, 42, 43, 44, 45, 46, 47});
  CHECK(row(r.loss_mask(2), 8) == std::vector<uint8_t>{0, 0, 0, 0, 1, 1, 1, 1});
  CHECK(row(r.segments(3), 8) == std::vector<uint16_t>{1, 1, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("padded mode puts one document in each block", "[packer]") {
  const auto dir = testing::scratch_dir("packer_padded");
  const std::string path = (dir / "p.shard").string();
  {
    ShardWriter w(path, 6, 100, false, 3, 2);
    Packer p(w, 6, false, 3);
    p.add(doc(10, 2, 1));
    p.add(doc(20, 2, 1));
    p.add(EncodedDocument{});  // empty: ignored
    p.finish();
    w.finish();
    CHECK(p.counts().documents == 2);
  }
  ShardReader r(path);
  REQUIRE(r.num_blocks() == 2);
  CHECK_FALSE(r.packed());
  CHECK(row(r.tokens(0), 6) == std::vector<int32_t>{10, 11, 3, 3, 3, 3});
  CHECK(row(r.tokens(1), 6) == std::vector<int32_t>{20, 21, 3, 3, 3, 3});
  CHECK(row(r.segments(1), 6) == std::vector<uint16_t>{1, 1, 0, 0, 0, 0});
}
