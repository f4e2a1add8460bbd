// Text helpers the Hugging Face tokenizer pipeline needs, each matching what the Rust
// `tokenizers` crate does so ids and decodes agree byte for byte:
//  - UTF-8 character boundaries (the crate walks `char`s);
//  - GPT-2's byte <-> printable character table (ByteLevel pre-tokenizer and decoder);
//  - Rust's String::from_utf8_lossy (one U+FFFD per maximal ill-formed subpart);
//  - NFC through ICU (the NFC normalizer Qwen2 uses).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sftx::rt::hf {

// Byte length of the UTF-8 character whose lead byte is `lead` (1 for a stray byte).
size_t utf8_char_len(unsigned char lead);
// True when `s` is well-formed UTF-8.
bool is_valid_utf8(const std::string& s);
// The characters of `s` (valid UTF-8) as substrings.
std::vector<std::string> utf8_chars(const std::string& s);
// Encodes one code point.
std::string utf8_encode(uint32_t cp);
// Decodes the first code point of `s` (valid UTF-8, non-empty).
uint32_t utf8_first_code_point(const std::string& s);

// Byte b -> the character GPT-2's bytes_to_unicode() gives it ("Ġ" for ' ', ...).
const std::string& byte_level_char(unsigned char b);
// The inverse, for one character; false when `ch` is not in the table.
bool byte_level_byte(const std::string& ch, unsigned char& b);

// Rust's String::from_utf8_lossy.
std::string utf8_lossy(const std::string& bytes);

// Unicode NFC (ICU). Input must be valid UTF-8.
std::string nfc(const std::string& s);

}  // namespace sftx::rt::hf
