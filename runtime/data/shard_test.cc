#include "runtime/data/shard.h"
#include "tests/test_support.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace sftx::rt;

TEST_CASE("shard round trip keeps tokens, masks and segment ids", "[shard]") {
  sftx::testing::TempDir dir_tmp("sftx-shard-roundtrip");
  const fs::path dir = dir_tmp.path();
  const std::string path = (dir / "s.bin").string();
  std::vector<int32_t> t0 = {1, 5, 6, 2, 1, 7, 2, 0};
  std::vector<uint8_t> m0 = {0, 0, 1, 1, 0, 1, 1, 0};
  std::vector<uint16_t> s0 = {1, 1, 1, 1, 2, 2, 2, 0};
  std::vector<int32_t> t1 = {1, 9, 9, 9, 9, 9, 9, 2};
  std::vector<uint8_t> m1 = {0, 1, 1, 1, 1, 1, 1, 1};
  std::vector<uint16_t> s1 = {1, 1, 1, 1, 1, 1, 1, 1};
  {
    ShardWriter w(path, 8, 10, true, 0, 2);
    w.add_block(t0, m0, s0);
    w.add_block(t1, m1, s1);
    REQUIRE_FALSE(fs::exists(path));  // nothing under the final name until finish()
    w.finish();
  }
  REQUIRE(fs::file_size(path) == 64 + 7 * 16);
  REQUIRE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);  // no temporaries, no parts

  ShardReader r(path);
  CHECK(r.num_blocks() == 2);
  CHECK(r.seq_len() == 8);
  CHECK(r.vocab_size() == 10);
  CHECK(r.packed());
  CHECK(r.pad_id() == 0);
  CHECK(r.eos_id() == 2);
  CHECK(std::vector<int32_t>(r.tokens(0), r.tokens(0) + 8) == t0);
  CHECK(std::vector<int32_t>(r.tokens(1), r.tokens(1) + 8) == t1);
  CHECK(std::vector<uint8_t>(r.loss_mask(0), r.loss_mask(0) + 8) == m0);
  CHECK(std::vector<uint8_t>(r.loss_mask(1), r.loss_mask(1) + 8) == m1);
  CHECK(std::vector<uint16_t>(r.segments(0), r.segments(0) + 8) == s0);
  CHECK(std::vector<uint16_t>(r.segments(1), r.segments(1) + 8) == s1);
  CHECK(r.positions(0) == std::vector<int32_t>{0, 1, 2, 3, 0, 1, 2, 0});
  CHECK_THROWS_WITH(r.tokens(2), Catch::Contains("out of range"));
  fs::remove_all(dir);
}

TEST_CASE("shard header bytes are little-endian at the documented offsets", "[shard]") {
  sftx::testing::TempDir dir_tmp("sftx-shard-header");
  const fs::path dir = dir_tmp.path();
  const std::string path = (dir / "s.bin").string();
  {
    ShardWriter w(path, 4, 300, false, 7, 2);
    w.add_block({1, 2, 7, 7}, {0, 1, 0, 0}, {1, 1, 0, 0});
    w.finish();
  }
  const std::string b = sftx::testing::read_file(path);
  REQUIRE(b.size() == 64 + 7 * 4);
  CHECK(b.substr(0, 8) == "SFTXSHD1");
  auto u32 = [&](size_t o) {
    return uint32_t(uint8_t(b[o])) | uint32_t(uint8_t(b[o + 1])) << 8 | uint32_t(uint8_t(b[o + 2])) << 16 |
           uint32_t(uint8_t(b[o + 3])) << 24;
  };
  CHECK(u32(8) == 1);     // version
  CHECK(u32(12) == 4);    // seq_len
  CHECK(u32(16) == 1);    // n_blocks (low half)
  CHECK(u32(20) == 0);    // n_blocks (high half)
  CHECK(u32(24) == 300);  // vocab_size
  CHECK(u32(28) == 0);    // flags: padded
  CHECK(u32(32) == 7);    // pad_id
  CHECK(u32(36) == 2);    // eos_id
  for (size_t o = 40; o < 64; ++o) CHECK(b[o] == 0);
  CHECK(u32(64) == 1);
  CHECK(u32(64 + 12) == 7);
  CHECK(uint8_t(b[64 + 16 + 1]) == 1);          // loss mask section
  CHECK(uint8_t(b[64 + 20 + 2]) == 1);          // segments section, second id (low byte)
  fs::remove_all(dir);
}

TEST_CASE("shard writer and reader reject what does not fit the format", "[shard]") {
  sftx::testing::TempDir dir_tmp("sftx-shard-errors");
  const fs::path dir = dir_tmp.path();
  const std::string path = (dir / "s.bin").string();
  CHECK_THROWS_WITH(ShardWriter(path, 5, 10, true, 0, 2), Catch::Contains("even"));
  {
    ShardWriter w(path, 4, 10, false, 0, 2);
    CHECK_THROWS_WITH(w.add_block({1, 2, 10, 0}, {0, 1, 1, 0}, {1, 1, 1, 0}), Catch::Contains("outside vocabulary"));
    CHECK_THROWS_WITH(w.add_block({1, 2, 3, 0}, {0, 1, 1, 1}, {1, 1, 1, 0}), Catch::Contains("padding cannot"));
    CHECK_THROWS_WITH(w.add_block({1, 2, 3, 4}, {0, 1, 1, 1}, {1, 1, 2, 2}), Catch::Contains("one document"));
  }  // not finished: no file left behind
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".tokens.part"));

  {
    ShardWriter w(path, 4, 10, false, 0, 2);
    w.add_block({1, 2, 3, 0}, {0, 1, 1, 0}, {1, 1, 1, 0});
    w.finish();
  }
  fs::resize_file(path, fs::file_size(path) - 1);
  CHECK_THROWS_WITH(ShardReader(path), Catch::Contains("truncated"));
  {
    std::ofstream(path, std::ios::binary) << std::string(80, 'x');
  }
  CHECK_THROWS_WITH(ShardReader(path), Catch::Contains("magic"));
  fs::remove_all(dir);
}
