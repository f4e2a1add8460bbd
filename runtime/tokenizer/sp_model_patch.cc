#include "runtime/tokenizer/sp_model_patch.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace sftx::rt {
namespace {

constexpr int kModelNormalizerSpec = 3;
constexpr int kNormalizerAddDummyPrefix = 3;
constexpr int kNormalizerRemoveExtraWhitespaces = 4;

uint64_t read_varint(const std::string& s, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= s.size()) throw std::runtime_error("SentencePiece model: truncated varint");
    const auto b = static_cast<unsigned char>(s[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("SentencePiece model: varint too long");
}

void write_varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

struct Field {
  int number;
  int wire_type;
  size_t begin, end;               // the whole field, key included
  size_t value_begin;              // after the key
  size_t payload_begin, payload_end;  // for length-delimited fields
};

// Reads one field at *pos; advances *pos past it.
Field read_field(const std::string& s, size_t* pos) {
  Field f{};
  f.begin = *pos;
  const uint64_t key = read_varint(s, pos);
  f.number = static_cast<int>(key >> 3);
  f.wire_type = static_cast<int>(key & 7);
  f.value_begin = *pos;
  switch (f.wire_type) {
    case 0: read_varint(s, pos); break;
    case 1: *pos += 8; break;
    case 2: {
      const uint64_t len = read_varint(s, pos);
      f.payload_begin = *pos;
      *pos += len;
      f.payload_end = *pos;
      break;
    }
    case 5: *pos += 4; break;
    default: throw std::runtime_error("SentencePiece model: unsupported protobuf wire type " + std::to_string(f.wire_type));
  }
  if (*pos > s.size()) throw std::runtime_error("SentencePiece model: truncated field");
  f.end = *pos;
  return f;
}

std::string patch_normalizer(const std::string& spec) {
  std::string out;
  size_t pos = 0;
  while (pos < spec.size()) {
    const Field f = read_field(spec, &pos);
    if (f.number == kNormalizerAddDummyPrefix || f.number == kNormalizerRemoveExtraWhitespaces) continue;
    out.append(spec, f.begin, f.end - f.begin);
  }
  for (int field : {kNormalizerAddDummyPrefix, kNormalizerRemoveExtraWhitespaces}) {
    write_varint(static_cast<uint64_t>(field) << 3, &out);  // wire type 0 (varint)
    out.push_back('\0');                                    // false
  }
  return out;
}

uint64_t varint_at(const std::string& s, size_t pos) { return read_varint(s, &pos); }

std::string payload(const std::string& s, const Field& f) { return s.substr(f.payload_begin, f.payload_end - f.payload_begin); }

float fixed32_float(const std::string& s, const Field& f) {
  uint32_t bits = 0;
  for (int i = 3; i >= 0; --i) bits = (bits << 8) | static_cast<unsigned char>(s[f.value_begin + static_cast<size_t>(i)]);
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

}  // namespace

NormalizerFlags read_normalizer_flags(const std::string& model) {
  NormalizerFlags f;
  size_t pos = 0;
  while (pos < model.size()) {
    const Field top = read_field(model, &pos);
    if (top.number != kModelNormalizerSpec || top.wire_type != 2) continue;
    const std::string spec = model.substr(top.payload_begin, top.payload_end - top.payload_begin);
    size_t p = 0;
    while (p < spec.size()) {
      const Field g = read_field(spec, &p);
      const size_t value_at = g.begin + 1;  // the keys used here are single bytes
      if (g.number == 1 && g.wire_type == 2) f.name = spec.substr(g.payload_begin, g.payload_end - g.payload_begin);
      if (g.number == kNormalizerAddDummyPrefix && g.wire_type == 0) f.add_dummy_prefix = varint_at(spec, value_at) != 0;
      if (g.number == kNormalizerRemoveExtraWhitespaces && g.wire_type == 0)
        f.remove_extra_whitespaces = varint_at(spec, value_at) != 0;
    }
    break;
  }
  return f;
}

SentencePieceModelInfo read_model_info(const std::string& model) {
  SentencePieceModelInfo info;
  info.normalizer = read_normalizer_flags(model);
  size_t pos = 0;
  while (pos < model.size()) {
    const Field top = read_field(model, &pos);
    if (top.wire_type != 2) continue;
    const std::string body = payload(model, top);
    size_t p = 0;
    if (top.number == 1) {  // one SentencePiece
      SentencePieceEntry e;
      while (p < body.size()) {
        const Field g = read_field(body, &p);
        if (g.number == 1 && g.wire_type == 2) e.piece = payload(body, g);
        if (g.number == 2 && g.wire_type == 5) e.score = fixed32_float(body, g);
        if (g.number == 3 && g.wire_type == 0) {
          const uint64_t t = varint_at(body, g.value_begin);
          if (t < 1 || t > 6) throw std::runtime_error("SentencePiece model: piece \"" + e.piece + "\" has unknown type " + std::to_string(t));
          e.type = static_cast<SentencePieceEntry::Type>(t);
        }
      }
      info.pieces.push_back(std::move(e));
    } else if (top.number == 2) {  // trainer_spec
      while (p < body.size()) {
        const Field g = read_field(body, &p);
        if (g.number == 3 && g.wire_type == 0) {
          const uint64_t t = varint_at(body, g.value_begin);
          static const char* names[] = {"", "unigram", "bpe", "word", "char"};
          if (t < 1 || t > 4) throw std::runtime_error("SentencePiece model: unknown model_type " + std::to_string(t));
          info.model_type = names[t];
        }
        if (g.number == 35 && g.wire_type == 0) info.byte_fallback = varint_at(body, g.value_begin) != 0;
      }
    } else if (top.number == 3) {  // normalizer_spec (flags read above)
      while (p < body.size()) {
        const Field g = read_field(body, &p);
        if (g.number == 2 && g.wire_type == 2) info.precompiled_charsmap = payload(body, g);
        if (g.number == 5 && g.wire_type == 0) info.escape_whitespaces = varint_at(body, g.value_begin) != 0;
      }
    }
  }
  return info;
}

std::string model_proto_for_continuation(const std::string& model) {
  std::string out;
  bool patched = false;
  size_t pos = 0;
  while (pos < model.size()) {
    const Field f = read_field(model, &pos);
    if (f.number == kModelNormalizerSpec && f.wire_type == 2 && !patched) {
      const std::string spec =
          patch_normalizer(model.substr(f.payload_begin, f.payload_end - f.payload_begin));
      write_varint((static_cast<uint64_t>(kModelNormalizerSpec) << 3) | 2, &out);
      write_varint(spec.size(), &out);
      out += spec;
      patched = true;
      continue;
    }
    out.append(model, f.begin, f.end - f.begin);
  }
  if (!patched) {  // no normalizer_spec: add one carrying only the two flags
    const std::string spec = patch_normalizer("");
    write_varint((static_cast<uint64_t>(kModelNormalizerSpec) << 3) | 2, &out);
    write_varint(spec.size(), &out);
    out += spec;
  }
  return out;
}

}  // namespace sftx::rt
