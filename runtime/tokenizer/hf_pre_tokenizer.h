// tokenizer.json pre-tokenizers sftx implements: ByteLevel (GPT-2's regex, prefix space, byte
// to character mapping), Split (the Llama-3 and Qwen2 regexes, any behaviour, invert), Metaspace
// (Llama-2/Mistral style: spaces to "▁", prepend_scheme always|first|never, split), Digits, and
// Sequence of them. Anything else is refused with its JSON path.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/tokenizer/hf_json.h"
#include "runtime/tokenizer/hf_regex.h"
#include "runtime/tokenizer/hf_split.h"

namespace sftx::rt::hf {

class PreTokenizer {
 public:
  static PreTokenizer parse(const json& spec, const JsonPlace& at);  // null: none
  // Splits the pieces further. `continuation`: no prefix is inserted in the piece at the origin.
  std::vector<Piece> apply(std::vector<Piece> pieces, bool continuation) const;
  // A ByteLevel step maps bytes to characters (the decoder must map them back).
  bool byte_level() const;

 private:
  struct Step {
    enum Kind { byte_level, split, metaspace, digits } kind;
    std::shared_ptr<Regex> pattern;     // split; byte_level with use_regex
    SplitBehavior behavior = SplitBehavior::isolated;
    bool invert = false;
    bool add_prefix_space = false;       // byte_level
    std::string replacement;             // metaspace
    enum Prepend { always, first, never } prepend_scheme = always;
    bool split_on_replacement = true;    // metaspace
  };
  void parse_into(const json& spec, const JsonPlace& at);
  std::vector<Step> steps_;
};

}  // namespace sftx::rt::hf
