#include "runtime/nn/token_batches.h"

#include <algorithm>
#include <stdexcept>

#include "runtime/data/permutation.h"

namespace sftx::rt {

TokenBlocks::TokenBlocks(const std::vector<std::string>& shard_paths) {
  if (shard_paths.empty()) throw std::runtime_error("training needs at least one token shard");
  for (const auto& path : shard_paths) {
    auto reader = std::make_unique<ShardReader>(path);
    if (seq_len_ == 0) seq_len_ = reader->seq_len();
    if (reader->seq_len() != seq_len_)
      throw std::runtime_error(path + ": blocks of " + std::to_string(reader->seq_len()) +
                               " tokens, but the first shard has " + std::to_string(seq_len_) +
                               " (all shards of a stage must be packed with one seq_len)");
    vocab_size_ = std::max<int64_t>(vocab_size_, reader->vocab_size());
    offsets_.push_back(total_);
    total_ += static_cast<int64_t>(reader->num_blocks());
    shards_.push_back(std::move(reader));
  }
  if (total_ == 0) throw std::runtime_error(shard_paths.front() + ": the shards hold no blocks to train on");
}

int64_t count_loss_tokens(const uint8_t* loss_mask, const uint16_t* segments, int64_t seq_len) {
  int64_t n = 0;
  for (int64_t t = 1; t < seq_len; ++t) n += (loss_mask[t] != 0 && segments[t] == segments[t - 1]);
  return n;
}

TokenBatch TokenBlocks::gather(const std::vector<uint64_t>& indices) const {
  const int64_t B = static_cast<int64_t>(indices.size()), T = seq_len_;
  TokenBatch b;
  b.ids = torch::empty({B, T}, torch::kInt64);
  b.loss_mask = torch::empty({B, T}, torch::kUInt8);
  b.segments = torch::empty({B, T}, torch::kInt32);
  auto* ids = b.ids.data_ptr<int64_t>();
  auto* mask = b.loss_mask.data_ptr<uint8_t>();
  auto* seg = b.segments.data_ptr<int32_t>();
  for (int64_t i = 0; i < B; ++i) {
    auto g = static_cast<int64_t>(indices[i]);
    if (g < 0 || g >= total_) throw std::out_of_range("block index " + std::to_string(g) + " out of range");
    size_t s = std::upper_bound(offsets_.begin(), offsets_.end(), g) - offsets_.begin() - 1;
    const ShardReader& r = *shards_[s];
    uint64_t local = static_cast<uint64_t>(g - offsets_[s]);
    const int32_t* tok = r.tokens(local);
    const uint8_t* m = r.loss_mask(local);
    const uint16_t* sg = r.segments(local);
    for (int64_t t = 0; t < T; ++t) {
      ids[i * T + t] = tok[t];
      mask[i * T + t] = m[t];
      seg[i * T + t] = sg[t];
      b.tokens += sg[t] != 0;
    }
    b.loss_tokens += count_loss_tokens(m, sg, T);
  }
  return b;
}

int64_t TokenBlocks::loss_tokens(const std::vector<uint64_t>& indices) const {
  int64_t n = 0;
  for (uint64_t index : indices) {
    auto g = static_cast<int64_t>(index);
    if (g < 0 || g >= total_) throw std::out_of_range("block index " + std::to_string(g) + " out of range");
    size_t s = std::upper_bound(offsets_.begin(), offsets_.end(), g) - offsets_.begin() - 1;
    uint64_t local = static_cast<uint64_t>(g - offsets_[s]);
    n += count_loss_tokens(shards_[s]->loss_mask(local), shards_[s]->segments(local), seq_len_);
  }
  return n;
}

DataOrder::DataOrder(int64_t num_blocks, int64_t batch, uint64_t seed) : n_(num_blocks), batch_(batch), seed_(seed) {
  if (n_ <= 0) throw std::invalid_argument("no blocks to train on");
  if (batch_ <= 0) throw std::invalid_argument("batch must be >= 1, got " + std::to_string(batch_));
  steps_per_epoch_ = (n_ + batch_ - 1) / batch_;
}

std::vector<uint64_t> DataOrder::step_blocks(int64_t step) {
  int64_t epoch = epoch_of(step);
  if (epoch != cached_epoch_) {
    // Stream "train": independent of the data operations that share the seed.
    permutation_ = permutation(static_cast<uint64_t>(n_), derive_seed(derive_seed(seed_, 0x747261696eULL),
                                                                       static_cast<uint64_t>(epoch)));
    cached_epoch_ = epoch;
  }
  int64_t begin = index_of(step), end = std::min(n_, begin + batch_);
  return {permutation_.begin() + begin, permutation_.begin() + end};
}

std::vector<uint64_t> rank_share(const std::vector<uint64_t>& blocks, int rank, int world) {
  if (world < 1 || rank < 0 || rank >= world)
    throw std::invalid_argument("rank " + std::to_string(rank) + " of world size " + std::to_string(world));
  int64_t n = static_cast<int64_t>(blocks.size()), w = world, r = rank;
  int64_t begin = r * (n / w) + std::min(r, n % w);
  int64_t size = n / w + (r < n % w ? 1 : 0);
  return {blocks.begin() + begin, blocks.begin() + begin + size};
}

std::vector<std::vector<uint64_t>> split_micro_batches(const std::vector<uint64_t>& blocks, int64_t parts) {
  int64_t n = static_cast<int64_t>(blocks.size());
  parts = std::max<int64_t>(1, std::min(parts, n));
  std::vector<std::vector<uint64_t>> out;
  int64_t start = 0;
  for (int64_t p = 0; p < parts; ++p) {
    int64_t size = n / parts + (p < n % parts ? 1 : 0);
    out.emplace_back(blocks.begin() + start, blocks.begin() + start + size);
    start += size;
  }
  return out;
}

}  // namespace sftx::rt
