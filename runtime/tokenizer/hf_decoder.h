// tokenizer.json decoders sftx implements: ByteLevel (characters back to bytes, invalid UTF-8
// becomes U+FFFD), Metaspace ("▁" to space, none on the first token unless prepend_scheme is
// never), ByteFallback (<0xNN> runs to text), Fuse, Strip, Replace, and Sequence of them; each
// turns the token strings into new strings as the crate's decode_chain does, and the results are
// concatenated. No decoder: tokens joined with spaces, as the crate does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/tokenizer/hf_json.h"
#include "runtime/tokenizer/hf_regex.h"

namespace sftx::rt::hf {

class Decoder {
 public:
  static Decoder parse(const json& spec, const JsonPlace& at);  // null: none
  std::string decode(std::vector<std::string> tokens) const;
  bool empty() const { return steps_.empty(); }

 private:
  struct Step {
    enum Kind { byte_level, metaspace, byte_fallback, fuse, strip, replace } kind;
    std::string text;  // metaspace: the replacement; strip: the character; replace: the content
    bool first_token_keeps_space = false;  // metaspace with prepend_scheme never
    size_t start = 0, stop = 0;            // strip
    std::shared_ptr<Regex> pattern;        // replace
  };
  void parse_into(const json& spec, const JsonPlace& at);
  std::vector<Step> steps_;
};

}  // namespace sftx::rt::hf
