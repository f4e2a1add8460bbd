// The unit the normalizers and pre-tokenizers of tokenizer.json work on, and the five ways
// `tokenizers` splits one around pattern matches (SplitDelimiterBehavior).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sftx::rt::hf {

// A part of the input on its way to the model.
struct Piece {
  std::string text;
  // Its first character lies at offset 0 of the encoded text (Metaspace's prepend_scheme
  // "first" prepends only there; continuation encoding inserts no prefix there).
  bool at_origin = false;
  // Leading bytes that normalizers or pre-tokenizers inserted (they have no original width, so
  // a split inside them still starts at the original offset of the first real character).
  size_t inserted_prefix = 0;
};

enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

// Splits `piece` around `matches` (sorted, non-overlapping byte ranges), as
// NormalizedString::split does; empty results are dropped. `invert`: the non-matches are the
// delimiters.
std::vector<Piece> split_piece(const Piece& piece, const std::vector<std::pair<size_t, size_t>>& matches,
                               SplitBehavior behavior, bool invert);

// Prepends `prefix` as inserted text.
void prepend(Piece& piece, const std::string& prefix);

}  // namespace sftx::rt::hf
