#include "runtime/tokenizer/hf_decoder.h"

#include "runtime/tokenizer/hf_normalizer.h"
#include "runtime/tokenizer/hf_text.h"

namespace sftx::rt::hf {

Decoder Decoder::parse(const json& spec, const JsonPlace& at) {
  Decoder d;
  if (!spec.is_null()) d.parse_into(spec, at);
  return d;
}

void Decoder::parse_into(const json& spec, const JsonPlace& at) {
  const std::string type = type_of(spec, at);
  Step s{};
  if (type == "Sequence") {
    const json& list = spec.value("decoders", json());
    if (!list.is_array()) (at / "decoders").refuse("expected an array");
    for (size_t i = 0; i < list.size(); ++i) parse_into(list[i], at / "decoders" / i);
    return;
  } else if (type == "ByteLevel") {
    s.kind = Step::byte_level;
  } else if (type == "Metaspace") {
    s.kind = Step::metaspace;
    s.text = field<std::string>(spec, "replacement", at);
    const std::string scheme = field<std::string>(spec, "prepend_scheme", at, std::string("always"));
    const bool legacy_no_prefix = spec.contains("add_prefix_space") && spec["add_prefix_space"] == false;
    s.first_token_keeps_space = scheme == "never" || legacy_no_prefix;
  } else if (type == "ByteFallback") {
    s.kind = Step::byte_fallback;
  } else if (type == "Fuse") {
    s.kind = Step::fuse;
  } else if (type == "Strip") {
    s.kind = Step::strip;
    s.text = field<std::string>(spec, "content", at);
    if (utf8_chars(s.text).size() != 1) (at / "content").refuse("expected one character");
    s.start = field<size_t>(spec, "start", at);
    s.stop = field<size_t>(spec, "stop", at);
  } else if (type == "Replace") {
    s.kind = Step::replace;
    s.text = field<std::string>(spec, "content", at);
    s.pattern = parse_pattern(spec.value("pattern", json()), at / "pattern");
  } else {
    (at / "type").refuse("unsupported decoder \"" + type +
                         "\" (sftx supports ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence)");
  }
  steps_.push_back(std::move(s));
}

namespace {
bool byte_token(const std::string& t, unsigned char& b) {
  // The crate: 6 bytes, "<0x" ... ">", two hex digits (either case).
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return false;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const int hi = hex(t[3]), lo = hex(t[4]);
  if (hi < 0 || lo < 0) return false;
  b = static_cast<unsigned char>(hi * 16 + lo);
  return true;
}
}  // namespace

std::string Decoder::decode(std::vector<std::string> tokens) const {
  if (steps_.empty()) {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
    return out;
  }
  for (const Step& s : steps_) {
    std::vector<std::string> next;
    switch (s.kind) {
      case Step::byte_level: {
        std::string bytes;
        for (const std::string& t : tokens) {
          std::string mine;
          bool all = true;
          for (const std::string& ch : utf8_chars(t)) {
            unsigned char b;
            if (!byte_level_byte(ch, b)) {
              all = false;
              break;
            }
            mine.push_back(static_cast<char>(b));
          }
          bytes += all ? mine : t;
        }
        next.push_back(utf8_lossy(bytes));
        break;
      }
      case Step::metaspace:
        for (size_t i = 0; i < tokens.size(); ++i) {
          std::string out;
          for (const std::string& ch : utf8_chars(tokens[i])) {
            if (ch != s.text) out += ch;
            else if (i != 0 || s.first_token_keeps_space) out.push_back(' ');
          }
          next.push_back(std::move(out));
        }
        break;
      case Step::byte_fallback: {
        std::string run;
        size_t run_len = 0;
        auto flush = [&] {
          if (!run_len) return;
          if (is_valid_utf8(run)) next.push_back(run);
          else
            for (size_t k = 0; k < run_len; ++k) next.push_back("\xEF\xBF\xBD");
          run.clear();
          run_len = 0;
        };
        for (const std::string& t : tokens) {
          unsigned char b;
          if (byte_token(t, b)) {
            run.push_back(static_cast<char>(b));
            ++run_len;
          } else {
            flush();
            next.push_back(t);
          }
        }
        flush();
        break;
      }
      case Step::fuse: {
        std::string all;
        for (const std::string& t : tokens) all += t;
        next.push_back(std::move(all));
        break;
      }
      case Step::strip:
        for (const std::string& t : tokens) {
          const std::vector<std::string> chars = utf8_chars(t);
          size_t begin = 0, end = chars.size();
          for (size_t i = 0; i < s.start && i < chars.size() && chars[i] == s.text; ++i) begin = i + 1;
          // The crate indexes from the end without a bound check; a token shorter than `stop`
          // made of `content` only would panic there. Stop at the token's start instead.
          for (size_t i = 0; i < s.stop && i < chars.size() && chars[chars.size() - i - 1] == s.text; ++i)
            end = chars.size() - i - 1;
          std::string out;
          for (size_t i = begin; i < end; ++i) out += chars[i];
          next.push_back(std::move(out));
        }
        break;
      case Step::replace:
        for (const std::string& t : tokens) {
          std::string out;
          size_t prev = 0;
          for (const auto& [b, e] : s.pattern->find_all(t)) {
            out.append(t, prev, b - prev);
            out += s.text;
            prev = e;
          }
          out.append(t, prev, std::string::npos);
          next.push_back(std::move(out));
        }
        break;
    }
    tokens = std::move(next);
  }
  std::string out;
  for (const std::string& t : tokens) out += t;
  return out;
}

}  // namespace sftx::rt::hf
