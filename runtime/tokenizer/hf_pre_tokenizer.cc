#include "runtime/tokenizer/hf_pre_tokenizer.h"

#include "runtime/tokenizer/hf_normalizer.h"
#include "runtime/tokenizer/hf_text.h"

namespace sftx::rt::hf {

namespace {
// The regex of tokenizers' ByteLevel pre-tokenizer (GPT-2's).
const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

SplitBehavior parse_behavior(const json& spec, const JsonPlace& at) {
  const std::string b = field<std::string>(spec, "behavior", at);
  if (b == "Removed") return SplitBehavior::removed;
  if (b == "Isolated") return SplitBehavior::isolated;
  if (b == "MergedWithPrevious") return SplitBehavior::merged_with_previous;
  if (b == "MergedWithNext") return SplitBehavior::merged_with_next;
  if (b == "Contiguous") return SplitBehavior::contiguous;
  (at / "behavior").refuse("unknown split behavior \"" + b + "\"");
}
}  // namespace

PreTokenizer PreTokenizer::parse(const json& spec, const JsonPlace& at) {
  PreTokenizer p;
  if (!spec.is_null()) p.parse_into(spec, at);
  return p;
}

void PreTokenizer::parse_into(const json& spec, const JsonPlace& at) {
  const std::string type = type_of(spec, at);
  Step s{};
  if (type == "Sequence") {
    const json& list = spec.value("pretokenizers", json());
    if (!list.is_array()) (at / "pretokenizers").refuse("expected an array");
    for (size_t i = 0; i < list.size(); ++i) parse_into(list[i], at / "pretokenizers" / i);
    return;
  } else if (type == "ByteLevel") {
    s.kind = Step::byte_level;
    s.add_prefix_space = field<bool>(spec, "add_prefix_space", at, true);
    if (field<bool>(spec, "use_regex", at, true)) s.pattern = std::make_shared<Regex>(kGpt2Pattern);
  } else if (type == "Split") {
    s.kind = Step::split;
    s.pattern = parse_pattern(spec.value("pattern", json()), at / "pattern");
    s.behavior = parse_behavior(spec, at);
    s.invert = field<bool>(spec, "invert", at, false);
  } else if (type == "Metaspace") {
    s.kind = Step::metaspace;
    s.replacement = field<std::string>(spec, "replacement", at);
    if (utf8_chars(s.replacement).size() != 1) (at / "replacement").refuse("expected one character");
    const std::string scheme = field<std::string>(spec, "prepend_scheme", at, std::string("always"));
    if (scheme == "always") s.prepend_scheme = Step::always;
    else if (scheme == "first") s.prepend_scheme = Step::first;
    else if (scheme == "never") s.prepend_scheme = Step::never;
    else (at / "prepend_scheme").refuse("unknown prepend_scheme \"" + scheme + "\"");
    // Files written before prepend_scheme existed say add_prefix_space instead.
    if (spec.contains("add_prefix_space") && spec["add_prefix_space"].is_boolean() && !spec["add_prefix_space"].get<bool>()) {
      if (s.prepend_scheme != Step::never && spec.contains("prepend_scheme"))
        (at / "add_prefix_space").refuse("add_prefix_space does not match declared prepend_scheme");
      s.prepend_scheme = Step::never;
    }
    s.split_on_replacement = field<bool>(spec, "split", at, true);
    s.pattern = std::make_shared<Regex>(regex_quote(s.replacement));
  } else if (type == "Digits") {
    s.kind = Step::digits;
    s.pattern = std::make_shared<Regex>(R"(\p{N})");
    s.behavior = field<bool>(spec, "individual_digits", at, false) ? SplitBehavior::isolated : SplitBehavior::contiguous;
  } else {
    (at / "type").refuse("unsupported pre-tokenizer \"" + type +
                         "\" (sftx supports ByteLevel, Split, Metaspace, Digits, Sequence)");
  }
  steps_.push_back(std::move(s));
}

bool PreTokenizer::byte_level() const {
  for (const Step& s : steps_)
    if (s.kind == Step::byte_level) return true;
  return false;
}

std::vector<Piece> PreTokenizer::apply(std::vector<Piece> pieces, bool continuation) const {
  for (const Step& s : steps_) {
    std::vector<Piece> next;
    for (Piece& p : pieces) {
      const bool may_prefix = !(continuation && p.at_origin);
      std::vector<Piece> parts;
      switch (s.kind) {
        case Step::byte_level: {
          if (s.add_prefix_space && may_prefix && p.text.rfind(' ', 0) != 0) prepend(p, " ");
          parts = s.pattern ? split_piece(p, s.pattern->find_all(p.text), SplitBehavior::isolated, false)
                            : std::vector<Piece>{p};
          for (Piece& part : parts) {  // every byte becomes its printable stand-in
            std::string mapped;
            size_t inserted = 0;
            for (size_t k = 0; k < part.text.size(); ++k) {
              mapped += byte_level_char(static_cast<unsigned char>(part.text[k]));
              if (k + 1 == part.inserted_prefix) inserted = mapped.size();
            }
            part.inserted_prefix = inserted;
            part.text = std::move(mapped);
          }
          break;
        }
        case Step::split:
        case Step::digits:
          parts = split_piece(p, s.pattern->find_all(p.text), s.behavior, s.invert);
          break;
        case Step::metaspace: {
          std::string replaced;
          for (char c : p.text) {
            if (c == ' ') replaced += s.replacement;
            else replaced.push_back(c);
          }
          p.inserted_prefix = std::min(p.inserted_prefix, replaced.size());
          p.text = std::move(replaced);
          const bool starts = p.text.rfind(s.replacement, 0) == 0;
          if (!starts && may_prefix &&
              (s.prepend_scheme == Step::always || (s.prepend_scheme == Step::first && p.at_origin)))
            prepend(p, s.replacement);
          parts = s.split_on_replacement
                      ? split_piece(p, s.pattern->find_all(p.text), SplitBehavior::merged_with_next, false)
                      : std::vector<Piece>{p};
          break;
        }
      }
      for (Piece& part : parts)
        if (!part.text.empty()) next.push_back(std::move(part));
    }
    pieces = std::move(next);
  }
  return pieces;
}

}  // namespace sftx::rt::hf
