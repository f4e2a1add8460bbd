// A Hugging Face tokenizer.json run natively (no Python): added tokens, normalizer,
// pre-tokenizer, BPE model, post-processor and decoder, each as the `tokenizers` crate runs them
// (scripts/peers/tokenizers_parity.py checks ids and decodes against it). What sftx does not
// implement is refused at load with the file, the JSON path and what is unsupported.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/tokenizer/hf_added_tokens.h"
#include "runtime/tokenizer/hf_bpe.h"
#include "runtime/tokenizer/hf_decoder.h"
#include "runtime/tokenizer/hf_normalizer.h"
#include "runtime/tokenizer/hf_pre_tokenizer.h"

namespace sftx::rt {

class HfTokenizer {
 public:
  // `json_text` is the file's content; `what` names it in errors. Special token names for
  // bos/eos/pad/unk come from the "sftx_special_tokens" key if present (see with_config), else
  // from the post-processor and well-known names.
  static HfTokenizer parse(const std::string& json_text, const std::string& what);
  // tokenizer.json's text with bos/eos/pad/unk names taken from tokenizer_config.json (its
  // bos_token, eos_token, pad_token, unk_token) under the key "sftx_special_tokens", so a copy
  // in the cache keeps them. Returns `json_text` unchanged when the config names none.
  static std::string with_config(const std::string& json_text, const std::string& config_path);

  // `add_special_tokens`: apply the post-processor (BOS etc.), as tokenizers' encode() default.
  // `continuation`: the text continues a document, so no prefix (Prepend, Metaspace, ByteLevel's
  // add_prefix_space) is inserted at its start. Throws on invalid UTF-8.
  std::vector<int32_t> encode(const std::string& text, bool add_special_tokens, bool continuation = false) const;
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const;

  int vocab_size() const { return static_cast<int>(pieces_.size()); }
  const std::string& piece(int id) const { return pieces_.at(static_cast<size_t>(id)); }
  // An added token whose content is exactly `text`, or -1.
  int32_t added_token_id(const std::string& text) const;
  bool is_special(int32_t id) const;
  int bos_id() const { return bos_; }
  int eos_id() const { return eos_; }
  int pad_id() const { return pad_; }
  int unk_id() const { return unk_; }

  // The bytes one token decodes to on its own (byte-level characters mapped back, "<0xNN>" the
  // byte, the Metaspace replacement a space); what the worker needs to detokenise.
  std::string token_bytes(int32_t id) const;
  // Whether decoding drops a leading space of the first token (Metaspace prepend, Strip).
  bool decode_strips_leading_space() const { return strips_leading_space_; }

 private:
  HfTokenizer() = default;
  std::string what_;
  hf::AddedTokens added_;
  hf::Normalizer normalizer_;
  hf::PreTokenizer pre_tokenizer_;
  std::shared_ptr<hf::BpeModel> model_;
  hf::Decoder decoder_;
  std::vector<int32_t> prefix_ids_, suffix_ids_;  // TemplateProcessing's single template around $A
  std::vector<std::string> pieces_;              // id -> token string ("" for unused ids)
  std::vector<uint8_t> has_piece_;
  int bos_ = -1, eos_ = -1, pad_ = -1, unk_ = -1;
  bool strips_leading_space_ = false;
  std::string metaspace_replacement_;
  void parse_post_processor(const nlohmann::json& spec, const hf::JsonPlace& at);
};

}  // namespace sftx::rt
