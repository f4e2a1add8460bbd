// How deeply a JSON text nests, found by a linear scan before it is parsed. nlohmann::json
// parses iteratively, but copying, dumping and comparing a value recurse once per level: a
// record of 200,000 nested '[' (a 400 KB line) overflowed the stack and `sftx data` died with
// SIGSEGV. Every reader of untrusted JSON (data sources, score inputs, tokenizer.json) checks
// the depth first and refuses deeper texts with a message.
#pragma once

#include <cstddef>
#include <string_view>

namespace sftx::rt {

// Deeper than any real record or tokenizer.json (a chat record nests about 4 levels).
inline constexpr size_t kMaxJsonDepth = 128;

// True when `text` opens more than max_depth arrays/objects at once (brackets inside strings
// do not count). Does not validate the JSON: the parser does that afterwards.
bool json_nests_deeper_than(std::string_view text, size_t max_depth = kMaxJsonDepth);

}  // namespace sftx::rt
