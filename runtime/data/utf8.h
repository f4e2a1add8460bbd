// UTF-8 validity and display-safe text: what untrusted bytes (data files, a sandboxed
// program's messages) must pass through before they reach JSON (which needs valid UTF-8) or a
// terminal (where control bytes are commands).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sftx::rt {

// Byte offset of the first byte that is not part of a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed), or npos when all is valid.
size_t invalid_utf8_offset(std::string_view text);

// `text` made safe to show and to store: control bytes (but not \n or \t when keep_newlines)
// and ill-formed UTF-8 bytes become \xNN, and the result is at most max_bytes long (cut at a
// character boundary, ending in "..." when cut).
std::string display_safe(std::string_view text, size_t max_bytes, bool keep_newlines = false);

}  // namespace sftx::rt
