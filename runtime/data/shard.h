// Token shards: fixed-length blocks of token ids with a loss mask and per-token document ids,
// written once by pack_data (driver process) and memory-mapped by the trainer (worker process).
// Torch-free and SentencePiece-free, so both processes can include it.
//
// File format, version 1 (all integers little-endian; spec also in docs/shard-format.md):
//
//   offset size  field
//   0      8     magic        "SFTXSHD1" (8 ASCII bytes, no NUL)
//   8      4     version      u32 = 1
//   12     4     seq_len      u32, tokens per block (> 0 and even, so every section below is
//                             naturally aligned for mmap: 4·N, N and 2·N bytes from offset 64)
//   16     8     n_blocks     u64
//   24     4     vocab_size   u32 (the tokenizer's; every token id is < vocab_size)
//   28     4     flags        u32, bit 0 = packed (several documents per block); others 0
//   32     4     pad_id       i32, the token written in padding positions
//   36     4     eos_id       i32
//   40     24    reserved     zero
//   64     4·N   tokens       int32[n_blocks * seq_len], block-major
//   ...    N     loss_mask    uint8[n_blocks * seq_len], 1 = the token is a training target
//   ...    2·N   segments     uint16[n_blocks * seq_len], 0 = padding, 1.. = document index
//                             within the block (1 for the first document, 2 for the next...)
//   where N = n_blocks * seq_len. The file size is exactly 64 + 7·N bytes.
//
// Semantics. loss_mask[t] = 1 says token t is to be predicted (from tokens before it in the same
// document): the trainer's label for position t-1 is tokens[t] where loss_mask[t] = 1 and
// segments[t] == segments[t-1]. Attention stays inside a document (a token attends to earlier
// tokens with the same nonzero segment id) and positions restart at 0 at each document start.
// Padding positions have segment 0, loss_mask 0 and token pad_id. Documents are never split
// across blocks; a document longer than seq_len is truncated to seq_len tokens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sftx::rt {

inline constexpr char kShardMagic[8] = {'S', 'F', 'T', 'X', 'S', 'H', 'D', '1'};
inline constexpr uint32_t kShardVersion = 1;
inline constexpr size_t kShardHeaderBytes = 64;
inline constexpr uint32_t kShardFlagPacked = 1u;

struct ShardHeader {
  uint32_t version = kShardVersion;
  uint32_t seq_len = 0;
  uint64_t n_blocks = 0;
  uint32_t vocab_size = 0;
  uint32_t flags = 0;
  int32_t pad_id = 0;
  int32_t eos_id = 0;
  bool packed() const { return (flags & kShardFlagPacked) != 0; }
};

// Writes a shard block by block. Blocks go to three temporary section files beside the output
// (tokens can be written before n_blocks is known without holding the shard in memory); finish()
// concatenates them into a temporary file and renames it onto `path` (runtime/base/atomic_file.h),
// so a crash never leaves a half-written shard under the final name. Throws std::runtime_error with the path on IO errors.
class ShardWriter {
 public:
  ShardWriter(std::string path, uint32_t seq_len, uint32_t vocab_size, bool packed, int32_t pad_id,
              int32_t eos_id);
  ~ShardWriter();  // removes the temporaries if finish() was not called
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // Each span is exactly seq_len long. Checks ids < vocab_size and mask/segment consistency.
  void add_block(const int32_t* tokens, const uint8_t* loss_mask, const uint16_t* segments);
  void add_block(const std::vector<int32_t>& tokens, const std::vector<uint8_t>& loss_mask,
                 const std::vector<uint16_t>& segments);
  uint64_t blocks() const { return n_blocks_; }
  void finish();

 private:
  std::string path_;
  ShardHeader header_;
  uint64_t n_blocks_ = 0;
  std::FILE* tok_ = nullptr;
  std::FILE* mask_ = nullptr;
  std::FILE* seg_ = nullptr;
  bool finished_ = false;
  void close_parts();
  void remove_parts();
};

// Memory-maps a shard read-only. Validates magic, version and size; throws std::runtime_error
// naming the file and what is wrong. Pointers stay valid while the reader lives.
class ShardReader {
 public:
  explicit ShardReader(const std::string& path);
  ~ShardReader();
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;
  ShardReader(ShardReader&& other) noexcept;

  const ShardHeader& header() const { return header_; }
  uint64_t num_blocks() const { return header_.n_blocks; }
  uint32_t seq_len() const { return header_.seq_len; }
  uint32_t vocab_size() const { return header_.vocab_size; }
  bool packed() const { return header_.packed(); }
  int32_t pad_id() const { return header_.pad_id; }
  int32_t eos_id() const { return header_.eos_id; }

  // Each returns seq_len() elements of block i (i < num_blocks(); checked).
  const int32_t* tokens(uint64_t i) const;
  const uint8_t* loss_mask(uint64_t i) const;
  const uint16_t* segments(uint64_t i) const;

  // Positions restarting at 0 at each document start (padding gets 0), for RoPE.
  std::vector<int32_t> positions(uint64_t i) const;

 private:
  std::string path_;
  ShardHeader header_;
  const unsigned char* base_ = nullptr;
  size_t size_ = 0;
  void check_index(uint64_t i) const;
};

}  // namespace sftx::rt
