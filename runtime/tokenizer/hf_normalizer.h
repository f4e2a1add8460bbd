// tokenizer.json normalizers sftx implements: NFC (Qwen2), Prepend and Replace (Llama-2,
// Mistral: Prepend("▁") + Replace(" ", "▁")), and Sequence of them. Anything else (NFKC,
// Lowercase, BertNormalizer, Precompiled, ...) is refused with its JSON path.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/tokenizer/hf_json.h"
#include "runtime/tokenizer/hf_regex.h"
#include "runtime/tokenizer/hf_split.h"

namespace sftx::rt::hf {

// The {"String": literal} or {"Regex": pattern} of Replace and Split, compiled.
std::shared_ptr<Regex> parse_pattern(const json& spec, const JsonPlace& at);

class Normalizer {
 public:
  // `spec` is the "normalizer" value (null: none).
  static Normalizer parse(const json& spec, const JsonPlace& at);
  bool empty() const { return steps_.empty(); }
  // Normalizes one piece in place. `continuation`: the piece at the origin gets no Prepend
  // (text that continues a document has no dummy prefix).
  void apply(Piece& piece, bool continuation) const;
  // A plain string through the same steps (added tokens with normalized = true are matched in
  // their normalized form).
  std::string apply(const std::string& text) const;

 private:
  struct Step {
    enum Kind { nfc, prepend, replace } kind;
    std::string text;                // prepend: the prefix; replace: the content
    std::shared_ptr<Regex> pattern;  // replace
  };
  void parse_into(const json& spec, const JsonPlace& at);
  std::vector<Step> steps_;
};

}  // namespace sftx::rt::hf
