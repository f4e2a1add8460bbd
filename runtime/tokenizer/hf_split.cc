#include "runtime/tokenizer/hf_split.h"

#include <algorithm>

namespace sftx::rt::hf {

namespace {
struct Range {
  size_t begin, end;
  bool is_match;
};
}  // namespace

std::vector<Piece> split_piece(const Piece& piece, const std::vector<std::pair<size_t, size_t>>& matches,
                               SplitBehavior behavior, bool invert) {
  const std::string& s = piece.text;
  if (s.empty()) return {};
  // The whole string as alternating (gap, match) ranges, as Pattern::find_matches gives them.
  std::vector<Range> ranges;
  size_t prev = 0;
  for (const auto& [b, e] : matches) {
    if (prev != b) ranges.push_back({prev, b, false});
    ranges.push_back({b, e, true});
    prev = e;
  }
  if (prev != s.size()) ranges.push_back({prev, s.size(), false});
  if (invert)
    for (auto& r : ranges) r.is_match = !r.is_match;

  // (range, remove?) after applying the behaviour: the folds of NormalizedString::split.
  std::vector<std::pair<Range, bool>> out;
  switch (behavior) {
    case SplitBehavior::isolated:
      for (const auto& r : ranges) out.push_back({r, false});
      break;
    case SplitBehavior::removed:
      for (const auto& r : ranges) out.push_back({r, r.is_match});
      break;
    case SplitBehavior::contiguous: {
      bool previous_match = false;
      for (const auto& r : ranges) {
        if (r.is_match == previous_match && !out.empty()) out.back().first.end = r.end;
        else out.push_back({r, false});
        previous_match = r.is_match;
      }
      break;
    }
    case SplitBehavior::merged_with_previous: {
      bool previous_match = false;
      for (const auto& r : ranges) {
        if (r.is_match && !previous_match && !out.empty()) out.back().first.end = r.end;
        else out.push_back({r, false});
        previous_match = r.is_match;
      }
      break;
    }
    case SplitBehavior::merged_with_next: {
      bool previous_match = false;
      for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
        if (it->is_match && !previous_match && !out.empty()) out.back().first.begin = it->begin;
        else out.push_back({*it, false});
        previous_match = it->is_match;
      }
      std::reverse(out.begin(), out.end());
      break;
    }
  }

  std::vector<Piece> pieces;
  for (const auto& [r, remove] : out) {
    if (remove || r.end == r.begin) continue;
    Piece p;
    p.text = s.substr(r.begin, r.end - r.begin);
    p.at_origin = piece.at_origin && r.begin <= piece.inserted_prefix;
    p.inserted_prefix = piece.inserted_prefix > r.begin ? std::min(piece.inserted_prefix - r.begin, p.text.size()) : 0;
    pieces.push_back(std::move(p));
  }
  return pieces;
}

void prepend(Piece& piece, const std::string& prefix) {
  piece.text.insert(0, prefix);
  piece.inserted_prefix += prefix.size();
}

}  // namespace sftx::rt::hf
