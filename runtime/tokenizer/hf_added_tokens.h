// The added tokens of tokenizer.json ("added_tokens"), found in the text before
// pre-tokenisation as the crate's AddedVocabulary does: leftmost-longest matches, those with
// normalized = false in the raw text, those with normalized = true in the normalized text;
// lstrip/rstrip swallow neighbouring whitespace. single_word = true is refused (no supported
// family uses it and its word test is Rust-regex specific).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/tokenizer/hf_json.h"

namespace sftx::rt::hf {

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool lstrip = false, rstrip = false, normalized = false, special = false;
};

// A part of the text: either plain text or one added token.
struct TextSpan {
  size_t begin, end;
  int32_t token = -1;  // -1: plain text
};

class AddedTokens {
 public:
  // `vocab`: the model's. The crate ignores the ids written in the file and gives each added
  // token its vocabulary id, or else the next free id after the vocabulary, in file order; a file
  // whose ids disagree with that is refused rather than read two ways.
  static AddedTokens parse(const json& list, const JsonPlace& at, const std::unordered_map<std::string, int32_t>& vocab);
  // `normalized_form(content)`: how the normalizer rewrites a normalized = true token.
  template <typename F>
  void set_normalized_forms(F normalized_form) {
    forms_.clear();
    for (auto& row : first_bytes_) row.fill(false);
    for (auto& t : tokens_) {
      forms_.push_back(t.normalized ? normalized_form(t.content) : t.content);
      if (!forms_.back().empty()) first_bytes_[t.normalized][static_cast<unsigned char>(forms_.back()[0])] = true;
    }
  }
  // Spans covering `text` left to right (empty text: none). `normalized`: match the tokens with
  // normalized = true (in normalized text), else those with normalized = false.
  std::vector<TextSpan> split(const std::string& text, bool normalized) const;

  const std::vector<AddedToken>& tokens() const { return tokens_; }
  const AddedToken* by_id(int32_t id) const;
  const AddedToken* by_content(const std::string& content) const;
  // The string decoding uses for an added token: its normalized form when normalized = true
  // (the crate's simple_id_to_token), so the decoder inverts the normalizer. `id` must be added.
  const std::string& decode_form(int32_t id) const { return forms_[index_by_id_.at(id)]; }

 private:
  std::vector<AddedToken> tokens_;
  std::vector<std::string> forms_;  // the string matched for tokens_[i]
  std::array<std::array<bool, 256>, 2> first_bytes_{};  // [normalized][byte]: some form starts with it
  std::unordered_map<int32_t, size_t> index_by_id_;
  std::unordered_map<std::string, size_t> index_by_content_;
};

}  // namespace sftx::rt::hf
