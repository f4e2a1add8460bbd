// The BPE model of tokenizer.json, as the `tokenizers` crate runs it: characters looked up in
// the vocabulary (byte_fallback to <0xNN> pieces, else unk_token, fused when fuse_unk), then
// merges applied lowest rank first, leftmost on ties; ignore_merges takes a whole word that is
// in the vocabulary as one token. Merges may be "a b" strings or ["a", "b"] pairs.
// dropout, continuing_subword_prefix and end_of_word_suffix are refused (none of GPT-2, Llama-2/3,
// Mistral or Qwen2 set them).
#pragma once

#include <array>
#include <memory>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/tokenizer/hf_json.h"

namespace sftx::rt::hf {

class BpeModel {
 public:
  static BpeModel parse(const json& spec, const JsonPlace& at);
  BpeModel(BpeModel&&) noexcept;
  BpeModel& operator=(BpeModel&&) noexcept;
  ~BpeModel();

  // Appends the ids of one pre-tokenized word.
  void tokenize(const std::string& word, std::vector<int32_t>& out) const;

  const std::unordered_map<std::string, int32_t>& vocab() const { return vocab_; }
  int32_t unk_id() const { return unk_id_; }  // -1 when unk_token is null
  bool byte_fallback() const { return byte_fallback_; }

 private:
  BpeModel();
  std::vector<int32_t> merge_word(const std::string& word) const;
  std::unordered_map<std::string, int32_t> vocab_;
  // (left id, right id) -> (rank, merged id)
  std::unordered_map<uint64_t, std::pair<uint32_t, int32_t>> merges_;
  int32_t unk_id_ = -1;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  std::array<int32_t, 256> byte_ids_{};  // <0xNN> ids for byte_fallback, -1 when absent
  // Memoised words (the same words recur constantly); thread-safe, bounded.
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace sftx::rt::hf
