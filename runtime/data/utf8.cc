#include "runtime/data/utf8.h"

#include <cstdio>

namespace sftx::rt {
namespace {

// Length of the well-formed UTF-8 sequence at text[i], or 0 (RFC 3629 table 3-7).
size_t sequence_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

}  // namespace

size_t invalid_utf8_offset(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = sequence_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string display_safe(std::string_view text, size_t max_bytes, bool keep_newlines) {
  static constexpr std::string_view kCut = "...";
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t n = sequence_length(text, i);
    const unsigned char b = static_cast<unsigned char>(text[i]);
    std::string piece;
    bool control = n == 1 && (b < 0x20 || b == 0x7F) && !(keep_newlines && (b == '\n' || b == '\t'));
    if (n == 0 || control) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", b);
      piece = hex;
      n = 1;
    } else {
      piece.assign(text.substr(i, n));
    }
    if (out.size() + piece.size() > max_bytes) {
      while (out.size() + kCut.size() > max_bytes && !out.empty()) {
        // Drop whole characters: back up over continuation bytes to a lead byte.
        size_t k = out.size() - 1;
        while (k > 0 && (static_cast<unsigned char>(out[k]) & 0xC0) == 0x80) --k;
        out.resize(k);
      }
      if (kCut.size() <= max_bytes) out += kCut;
      return out;
    }
    out += piece;
    i += n;
  }
  return out;
}

}  // namespace sftx::rt
