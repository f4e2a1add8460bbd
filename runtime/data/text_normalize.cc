#include "runtime/data/text_normalize.h"

#include <xxhash.h>

namespace sftx::rt {

namespace {
bool is_word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c); }

template <typename Fn>
void for_each_word(std::string_view text, std::string& scratch, Fn&& fn) {
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= n) break;
    scratch.clear();
    while (i < n && is_word_byte(static_cast<unsigned char>(text[i]))) scratch.push_back(lower(static_cast<unsigned char>(text[i++])));
    fn(scratch);
  }
}
}  // namespace

std::string record_text(const Record& r) {
  std::string out;
  for (size_t i = 0; i < r.messages.size(); ++i) {
    if (i) out.push_back('\n');
    out += r.messages[i].content;
  }
  return out;
}

std::string normalize_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (unsigned char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(lower(c));
  }
  return out;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string scratch;
  for_each_word(text, scratch, [&](const std::string& w) { out.push_back(w); });
  return out;
}

std::vector<uint64_t> word_hashes(std::string_view text) {
  std::vector<uint64_t> out;
  out.reserve(text.size() / 5);
  std::string scratch;
  for_each_word(text, scratch, [&](const std::string& w) { out.push_back(XXH3_64bits(w.data(), w.size())); });
  return out;
}

int64_t utf8_length(std::string_view text) {
  int64_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace sftx::rt
