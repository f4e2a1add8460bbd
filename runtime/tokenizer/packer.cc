#include "runtime/tokenizer/packer.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sftx::rt {

Packer::Packer(ShardWriter& out, uint32_t seq_len, bool packed, int32_t pad_id)
    : out_(out), seq_len_(seq_len), packed_(packed), pad_id_(pad_id) {
  tokens_.assign(seq_len_, pad_id_);
  mask_.assign(seq_len_, 0);
  segments_.assign(seq_len_, 0);
}

void Packer::flush() {
  if (used_ == 0) return;
  out_.add_block(tokens_, mask_, segments_);
  ++counts_.blocks;
  std::fill(tokens_.begin(), tokens_.end(), pad_id_);
  std::fill(mask_.begin(), mask_.end(), 0);
  std::fill(segments_.begin(), segments_.end(), 0);
  used_ = 0;
  docs_in_block_ = 0;
}

void Packer::add(const EncodedDocument& doc) {
  if (doc.ids.size() != doc.loss_mask.size()) throw std::logic_error("document ids and loss mask differ in length");
  if (doc.ids.empty()) return;
  ++counts_.documents;
  uint32_t n = static_cast<uint32_t>(std::min<size_t>(doc.ids.size(), seq_len_));
  if (doc.ids.size() > seq_len_) ++counts_.truncated;
  if (!packed_ || used_ + n > seq_len_ || docs_in_block_ == std::numeric_limits<uint16_t>::max()) flush();
  const uint16_t seg = ++docs_in_block_;
  int64_t kept_loss = 0;
  for (uint32_t i = 0; i < n; ++i) {
    tokens_[used_ + i] = doc.ids[i];
    mask_[used_ + i] = doc.loss_mask[i];
    segments_[used_ + i] = seg;
    kept_loss += doc.loss_mask[i];
  }
  counts_.loss_tokens += kept_loss;
  if (kept_loss == 0 && doc.ids.size() > seq_len_) ++counts_.answerless;
  used_ += n;
  counts_.tokens += n;
  if (!packed_) flush();
}

void Packer::finish() { flush(); }

}  // namespace sftx::rt
