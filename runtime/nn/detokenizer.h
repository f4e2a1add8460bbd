// Token ids back to text for the worker, which has no SentencePiece: from the tokenizer's pieces
// (or a tokenizer.json vocabulary's bytes), written by the driver as vocab_json. Generation needs
// it to watch for stop strings and to write each generation's text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sftx::rt {

// Turns token ids back into text with the tokenizer's pieces, as SentencePiece decodes: "▁" is a
// space, "<0xAB>" byte pieces are the byte 0xAB, control pieces (<s>, </s>, <pad>) are empty,
// <unk> is " ⁇ ", and one leading space (the dummy prefix) is dropped.
class Detokenizer {
 public:
  Detokenizer() = default;
  // pieces[id] = piece; types[id] in normal, control, unknown, byte, unused (empty: guessed from
  // the piece: <0xNN> is byte, <s> </s> <pad> control, <unk> unknown).
  explicit Detokenizer(std::vector<std::string> pieces, std::vector<std::string> types = {});
  // The tokenizer's pieces_json() ({"pieces": [...], "types": [...], "eos_id": ...}) or a plain
  // JSON array of pieces. Errors name the file. A tokenizer.json vocabulary ("kind": "hf")
  // also carries each token's own bytes ("bytes", hex) and whether decoding drops one leading
  // space ("strip_leading_space"): its text is those bytes, not SentencePiece's pieces.
  static Detokenizer from_json_file(const std::string& path);

  std::string decode(const std::vector<int64_t>& ids) const;
  int64_t size() const { return static_cast<int64_t>(pieces_.size()); }
  int64_t eos_id() const { return eos_id_; }  // -1 when the vocabulary does not say

 private:
  enum class Kind : uint8_t { normal, control, unknown, byte };
  std::vector<std::string> pieces_;
  std::vector<Kind> kinds_;
  std::vector<uint8_t> bytes_;  // the byte of a byte piece
  std::vector<std::string> token_bytes_;  // tokenizer.json: what each token decodes to alone
  bool strip_leading_space_ = true;
  int64_t eos_id_ = -1;
};

}  // namespace sftx::rt
