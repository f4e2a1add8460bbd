// Test data for training tests: a token shard of synthetic "a+b=c" sums, written with the real
// ShardWriter. Header-only and torch-free, so both the nn tests and the launcher's end-to-end
// tests (which run the real sftx-worker) can write one.
//
// Token ids: 0 pad, 1 BOS, 2 EOS, 3..12 the digits 0..9, 13 '+', 14 '='. A document is
//   BOS a + b = c EOS     with the loss on c's digits and EOS (the "assistant" part),
// packed several to a block with segment ids, as pack_data packs chat records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/base/prng.h"
#include "runtime/data/shard.h"

namespace sftx::rt::testing {

inline constexpr int32_t kMathVocab = 16;

inline void write_math_shard(const std::string& path, int64_t n_blocks, uint32_t seq_len, uint64_t seed) {
  ShardWriter writer(path, seq_len, kMathVocab, /*packed=*/true, /*pad_id=*/0, /*eos_id=*/2);
  SplitMix64 rng(seed);
  auto digits = [](int64_t v) {
    std::vector<int32_t> out;
    for (char c : std::to_string(v)) out.push_back(3 + (c - '0'));
    return out;
  };
  for (int64_t b = 0; b < n_blocks; ++b) {
    std::vector<int32_t> tok;
    std::vector<uint8_t> mask;
    std::vector<uint16_t> seg;
    uint16_t doc = 0;
    while (true) {
      int64_t x = static_cast<int64_t>(rng.below(50)), y = static_cast<int64_t>(rng.below(50));
      std::vector<int32_t> prompt = {1}, answer = digits(x + y);
      for (int32_t t : digits(x)) prompt.push_back(t);
      prompt.push_back(13);
      for (int32_t t : digits(y)) prompt.push_back(t);
      prompt.push_back(14);
      answer.push_back(2);
      if (tok.size() + prompt.size() + answer.size() > seq_len) break;
      ++doc;
      for (int32_t t : prompt) tok.push_back(t), mask.push_back(0), seg.push_back(doc);
      for (int32_t t : answer) tok.push_back(t), mask.push_back(1), seg.push_back(doc);
    }
    while (tok.size() < seq_len) tok.push_back(0), mask.push_back(0), seg.push_back(0);
    writer.add_block(tok, mask, seg);
  }
  writer.finish();
}

}  // namespace sftx::rt::testing
