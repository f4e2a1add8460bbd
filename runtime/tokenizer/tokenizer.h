// The tokenizer every driver-side caller uses, and the template-aware encoding that produces the
// loss mask. Two kinds behind one interface, chosen by the file's content:
//  - a SentencePiece model (LLaMA's .model files, or one build_tokenizer trained);
//  - a Hugging Face tokenizer.json (GPT-2, Llama-3, Qwen2, Llama-2, Mistral), run natively by
//    HfTokenizer (hf_tokenizer.h).
//
// Driver side only: this is the one library that links libsentencepiece (see DEVELOPERS.md,
// "Two processes"). The worker gets token ids and, for stop strings, pieces_json().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/data/chat_template.h"
#include "runtime/tokenizer/hf_tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace sftx::rt {

// Token ids of one rendered document and, per token, whether it carries loss.
struct EncodedDocument {
  std::vector<int32_t> ids;
  std::vector<uint8_t> loss_mask;
};

class Tokenizer {
 public:
  // Loads a SentencePiece model file or a tokenizer.json (a file whose first non-blank byte is
  // '{'); for a tokenizer.json, the bos/eos/pad/unk names of a tokenizer_config.json beside it
  // are kept (HfTokenizer::with_config). Throws std::runtime_error "PATH: why" if it cannot;
  // an unsupported tokenizer.json names the JSON path and what is unsupported.
  static Tokenizer load(const std::string& model_path);
  // From the bytes of a serialized model (what a .model file holds) or a tokenizer.json's text.
  static Tokenizer from_serialized(const std::string& serialized_model, const std::string& what);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Text at the start of a document (the model's own normalisation, dummy prefix included).
  std::vector<int32_t> encode(const std::string& text) const;
  // Text that continues a document: no dummy prefix, whitespace kept as written.
  std::vector<int32_t> encode_continuation(const std::string& text) const;
  std::string decode(const std::vector<int32_t>& ids) const;

  // Segments one by one, concatenated: the first text segment of the document as encode(),
  // later ones as encode_continuation(); a `special` segment whose text is a control piece
  // (<s>, </s>) becomes that single id. For a tokenizer.json, text right after an added token is
  // encoded as `tokenizers` encodes the two together (a Prepend normalizer prefixes it again, a
  // Metaspace with prepend_scheme "first" does not), so a conversation's ids equal those of the
  // whole rendered text (scripts/peers/vicuna_parity.py). Each token inherits its segment's
  // trainable flag.
  EncodedDocument encode_segments(const std::vector<TemplateSegment>& segments) const;

  int vocab_size() const;
  int bos_id() const;
  int eos_id() const;
  int unk_id() const;
  int pad_id() const;  // -1 when the model defines none
  // The id padding positions use: pad_id() if defined, else unk_id() (never attended to).
  int padding_id() const;

  const std::string& piece(int id) const;
  std::vector<std::string> pieces() const;
  // {"pieces": [id -> piece], "types": [id -> "normal"|"control"|"unknown"|"byte"|"unused"],
  //  "bos_id", "eos_id", "pad_id", "unk_id", "space": "▁"}. To detokenise: control pieces are
  // "", byte pieces "<0xNN>" are the byte NN, and "▁" is a space.
  // A tokenizer.json adds "kind": "hf", "bytes": [id -> hex of the bytes the token decodes to on
  // its own] and "strip_leading_space": whether decoding drops the first token's leading space;
  // with those, byte-level pieces ("Ġthe") detokenise without knowing GPT-2's byte table.
  nlohmann::json pieces_json() const;
  void write_pieces_json(const std::string& path) const;

  // What build_tokenizer copies into the cache: the .model bytes or the tokenizer.json text.
  const std::string& serialized_model() const { return serialized_; }
  // The tokenizer.json implementation, or null for a SentencePiece model.
  const HfTokenizer* hf() const { return hf_.get(); }

  // Word cache (see tokenizer.cc): on when the model allows it; off gives SentencePiece's own
  // encoding of the whole text, for the tests that show both agree.
  bool word_cache_enabled() const { return cache_ != nullptr; }
  void disable_word_cache();

 private:
  Tokenizer() = default;
  std::string what_;
  std::shared_ptr<const HfTokenizer> hf_;
  std::string serialized_;
  std::unique_ptr<sentencepiece::SentencePieceProcessor> start_;
  std::unique_ptr<sentencepiece::SentencePieceProcessor> continuation_;
  bool start_is_prefixed_continuation_ = false;  // encode(x) == encode_continuation(" " + x)
  struct WordCache;
  std::shared_ptr<WordCache> cache_;
  std::vector<int32_t> encode_cached(const std::string& text) const;
};

}  // namespace sftx::rt
