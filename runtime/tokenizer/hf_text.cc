#include "runtime/tokenizer/hf_text.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <array>
#include <stdexcept>
#include <unordered_map>

namespace sftx::rt::hf {

size_t utf8_char_len(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

namespace {
// Length of the well-formed sequence at s[i] (Unicode Table 3-7), or, when ill-formed, the
// negated length of its maximal subpart (at least 1): the unit from_utf8_lossy replaces.
long well_formed_at(const std::string& s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = at(i);
  if (b < 0x80) return 1;
  int need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) need = 1;
  else if (b == 0xE0) need = 2, lo = 0xA0;
  else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) need = 2;
  else if (b == 0xED) need = 2, hi = 0x9F;
  else if (b == 0xF0) need = 3, lo = 0x90;
  else if (b >= 0xF1 && b <= 0xF3) need = 3;
  else if (b == 0xF4) need = 3, hi = 0x8F;
  else return -1;
  size_t k = i + 1;
  for (int n = 0; n < need; ++n, ++k) {
    const unsigned char l = n == 0 ? lo : 0x80, h = n == 0 ? hi : 0xBF;
    if (k >= s.size() || at(k) < l || at(k) > h) return -static_cast<long>(k - i);
  }
  return static_cast<long>(k - i);
}
}  // namespace

bool is_valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const long n = well_formed_at(s, i);
    if (n < 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}

std::string utf8_lossy(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const long n = well_formed_at(bytes, i);
    if (n > 0) {
      out.append(bytes, i, static_cast<size_t>(n));
      i += static_cast<size_t>(n);
    } else {
      out += "\xEF\xBF\xBD";
      i += static_cast<size_t>(-n);
    }
  }
  return out;
}

std::vector<std::string> utf8_chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = std::min(utf8_char_len(static_cast<unsigned char>(s[i])), s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string utf8_encode(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

uint32_t utf8_first_code_point(const std::string& s) {
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  const size_t n = utf8_char_len(static_cast<unsigned char>(s[0]));
  if (n == 1 || s.size() < n) return b(0);
  uint32_t cp = b(0) & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(k) & 0x3F);
  return cp;
}

namespace {
// GPT-2's bytes_to_unicode(): printable Latin-1 bytes stand for themselves, the other 68 bytes
// take the code points 256, 257, ... in byte order.
struct ByteLevelTable {
  std::array<std::string, 256> to_char;
  std::unordered_map<std::string, unsigned char> to_byte;
  ByteLevelTable() {
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      to_char[static_cast<size_t>(b)] = utf8_encode(printable ? static_cast<uint32_t>(b) : next++);
      to_byte[to_char[static_cast<size_t>(b)]] = static_cast<unsigned char>(b);
    }
  }
};
const ByteLevelTable& table() {
  static const ByteLevelTable t;
  return t;
}
}  // namespace

const std::string& byte_level_char(unsigned char b) { return table().to_char[b]; }

bool byte_level_byte(const std::string& ch, unsigned char& b) {
  auto it = table().to_byte.find(ch);
  if (it == table().to_byte.end()) return false;
  b = it->second;
  return true;
}

std::string nfc(const std::string& s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU NFC unavailable: ") + u_errorName(status));
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(s);
  if (n->isNormalized(in, status) && U_SUCCESS(status)) return s;
  status = U_ZERO_ERROR;
  const icu::UnicodeString out = n->normalize(in, status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU NFC failed: ") + u_errorName(status));
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

}  // namespace sftx::rt::hf
