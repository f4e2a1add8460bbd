// Packing tokenised documents into fixed-length blocks (the shard format in
// runtime/data/shard.h and docs/shard-format.md).
//
// Packed mode: documents go in order into the current block while they fit whole; one that does
// not fit closes the block (the rest is padding) and starts the next. Documents are never split
// across blocks, so each block's segment ids mark whole documents and attention can stay inside
// one. Padded mode: one document per block. Either way a document longer than seq_len is cut to
// its first seq_len tokens and counted as truncated.
//
// Kept apart from the tokenizer so it can be tested on hand-made ids.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/data/shard.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {

struct PackCounts {
  int64_t documents = 0, blocks = 0, tokens = 0, loss_tokens = 0, truncated = 0;
  int64_t answerless = 0;  // truncated documents whose cut removed every supervised token
};

class Packer {
 public:
  Packer(ShardWriter& out, uint32_t seq_len, bool packed, int32_t pad_id);
  void add(const EncodedDocument& doc);  // empty documents are ignored
  void finish();                         // flushes the last partial block
  const PackCounts& counts() const { return counts_; }

 private:
  ShardWriter& out_;
  uint32_t seq_len_;
  bool packed_;
  int32_t pad_id_;
  std::vector<int32_t> tokens_;
  std::vector<uint8_t> mask_;
  std::vector<uint16_t> segments_;
  uint32_t used_ = 0;
  uint16_t docs_in_block_ = 0;
  PackCounts counts_;
  void flush();
};

}  // namespace sftx::rt
