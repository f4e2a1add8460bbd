#include "runtime/tokenizer/hf_normalizer.h"

#include "runtime/tokenizer/hf_text.h"

namespace sftx::rt::hf {

Normalizer Normalizer::parse(const json& spec, const JsonPlace& at) {
  Normalizer n;
  if (!spec.is_null()) n.parse_into(spec, at);
  return n;
}

// The {"String": s} or {"Regex": r} pattern of Replace and Split.
std::shared_ptr<Regex> parse_pattern(const json& spec, const JsonPlace& at) {
  if (!spec.is_object() || spec.size() != 1) at.refuse("expected {\"String\": ...} or {\"Regex\": ...}");
  try {
    if (spec.contains("String")) return std::make_shared<Regex>(regex_quote(field<std::string>(spec, "String", at)));
    if (spec.contains("Regex")) return std::make_shared<Regex>(field<std::string>(spec, "Regex", at));
  } catch (const std::invalid_argument& e) {
    at.refuse(e.what());
  }
  at.refuse("expected {\"String\": ...} or {\"Regex\": ...}");
}

void Normalizer::parse_into(const json& spec, const JsonPlace& at) {
  const std::string type = type_of(spec, at);
  if (type == "Sequence") {
    const json& list = spec.value("normalizers", json());
    if (!list.is_array()) (at / "normalizers").refuse("expected an array");
    for (size_t i = 0; i < list.size(); ++i) parse_into(list[i], at / "normalizers" / i);
  } else if (type == "NFC") {
    steps_.push_back({Step::nfc, "", nullptr});
  } else if (type == "Prepend") {
    steps_.push_back({Step::prepend, field<std::string>(spec, "prepend", at), nullptr});
  } else if (type == "Replace") {
    steps_.push_back({Step::replace, field<std::string>(spec, "content", at),
                      parse_pattern(spec.value("pattern", json()), at / "pattern")});
  } else {
    (at / "type").refuse("unsupported normalizer \"" + type + "\" (sftx supports NFC, Prepend, Replace, Sequence)");
  }
}

namespace {
std::string replace_all(const std::string& s, const Regex& pattern, const std::string& content) {
  std::string out;
  size_t prev = 0;
  for (const auto& [b, e] : pattern.find_all(s)) {
    out.append(s, prev, b - prev);
    out += content;
    prev = e;
  }
  out.append(s, prev, std::string::npos);
  return out;
}
}  // namespace

void Normalizer::apply(Piece& piece, bool continuation) const {
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Step::nfc: piece.text = nfc(piece.text); break;
      case Step::prepend:
        // NormalizedString::prepend does nothing to an empty string.
        if (!piece.text.empty() && !(continuation && piece.at_origin)) prepend(piece, step.text);
        break;
      case Step::replace:
        piece.text = replace_all(piece.text, *step.pattern, step.text);
        piece.inserted_prefix = std::min(piece.inserted_prefix, piece.text.size());
        break;
    }
  }
}

std::string Normalizer::apply(const std::string& text) const {
  Piece p{text, false, 0};
  apply(p, false);
  return p.text;
}

}  // namespace sftx::rt::hf
