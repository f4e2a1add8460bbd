// The trainer's view of its data: every block of one or more token shards (memory-mapped,
// runtime/data/shard.h), visited in a seeded order that is a pure function of (seed, epoch), so
// the data position of a run is two integers — epoch and index into that epoch's permutation —
// and a resumed run sees exactly the batches an uninterrupted one would.
//
// Steps: an epoch of N blocks is ceil(N / batch) optimiser steps; the last step of an epoch takes
// the remaining N mod batch blocks (HF's Trainer keeps the partial batch too). Each step's blocks
// are split into grad_accum micro-batches as evenly as possible (sizes differ by at most one).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/data/shard.h"

namespace sftx::rt {

// A micro-batch as tensors on the CPU.
struct TokenBatch {
  torch::Tensor ids;        // [B, T] int64
  torch::Tensor loss_mask;  // [B, T] uint8
  torch::Tensor segments;   // [B, T] int32 (0 = padding, 1.. = document in the block)
  int64_t tokens = 0;       // non-padding tokens
  int64_t loss_tokens = 0;  // predicted tokens, counted as causal_lm_loss counts them
};

class TokenBlocks {
 public:
  // Opens every shard; they must agree on seq_len. Throws std::runtime_error naming the shard.
  explicit TokenBlocks(const std::vector<std::string>& shard_paths);

  int64_t size() const { return total_; }
  int64_t seq_len() const { return seq_len_; }
  int64_t vocab_size() const { return vocab_size_; }  // the largest of the shards'

  // The blocks with the given global indices, in that order.
  TokenBatch gather(const std::vector<uint64_t>& indices) const;
  // Predicted tokens of those blocks (gather(indices).loss_tokens, without copying the tokens):
  // every rank of a data-parallel step normalises by the whole step's count.
  int64_t loss_tokens(const std::vector<uint64_t>& indices) const;

 private:
  std::vector<std::unique_ptr<ShardReader>> shards_;
  std::vector<int64_t> offsets_;  // global index of each shard's first block
  int64_t total_ = 0, seq_len_ = 0, vocab_size_ = 0;
};

// Predicted tokens in one block, by runtime/data/shard.h's rule: position t (t >= 1) counts when
// loss_mask[t] = 1 and segments[t] == segments[t-1].
int64_t count_loss_tokens(const uint8_t* loss_mask, const uint16_t* segments, int64_t seq_len);

class DataOrder {
 public:
  DataOrder(int64_t num_blocks, int64_t batch, uint64_t seed);

  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  // Epoch and index (first block's position in the epoch's permutation) of global step `step`.
  int64_t epoch_of(int64_t step) const { return step / steps_per_epoch_; }
  int64_t index_of(int64_t step) const { return (step % steps_per_epoch_) * batch_; }
  // Global block indices of optimiser step `step` (0-based, counting across epochs).
  std::vector<uint64_t> step_blocks(int64_t step);

 private:
  int64_t n_, batch_, steps_per_epoch_;
  uint64_t seed_;
  int64_t cached_epoch_ = -1;
  std::vector<uint64_t> permutation_;
};

// The contiguous share of one step's blocks that rank `rank` of `world` trains on: sizes differ by
// at most one, in rank order, so concatenating the shares gives the step's blocks back. A rank
// gets none when the step has fewer blocks than ranks (an epoch's short last step).
std::vector<uint64_t> rank_share(const std::vector<uint64_t>& blocks, int rank, int world);

// Splits one step's blocks into `parts` micro-batches whose sizes differ by at most one
// (fewer parts when there are fewer blocks than parts).
std::vector<std::vector<uint64_t>> split_micro_batches(const std::vector<uint64_t>& blocks, int64_t parts);

}  // namespace sftx::rt
