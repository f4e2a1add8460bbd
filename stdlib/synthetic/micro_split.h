// Which side of the micro train/test split a value tuple falls on, and the disjoint name lists.
//
// A tuple's side is a fixed hash of (family, values), independent of the seed: a test set drawn
// with any seed shares no (template, values) tuple with a training set drawn with any seed.
// About one tuple in five is held out for testing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "stdlib/synthetic/prng.h"

namespace sftx::rt::synth {

enum class MicroSplit { train, test };

// The side an item's values come from, and the side its vocabulary (person, function and
// argument names) comes from. At `micro` both are the item's side (disjoint name lists); at
// `micro2` names always come from the training list, so a test item differs from training in
// its values only (docs/micro-scale.md says why).
struct MicroSides {
  MicroSplit values;
  MicroSplit names;
};

inline MicroSplit micro_split_of(const std::string& family, const std::vector<int64_t>& values) {
  uint64_t h = fnv1a("micro-split:" + family);
  for (int64_t v : values) {
    h = splitmix64_mix(h ^ static_cast<uint64_t>(v));
  }
  return h % 5 == 0 ? MicroSplit::test : MicroSplit::train;
}

// Draws values with `draw` until the tuple falls on `side` (a family whose every tuple is on
// the other side is a bug, reported after many tries).
template <typename Draw>
std::vector<int64_t> micro_values_on(MicroSplit side, const std::string& family, Rng& rng, Draw draw) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::vector<int64_t> v = draw(rng);
    if (micro_split_of(family, v) == side) return v;
  }
  throw std::logic_error("micro family " + family + " has no value tuple on the requested side");
}

// A single constant in [lo, hi] (a code family's k): exactly ceil(size / 5) of the values
// are held out, the ones whose hash is smallest, so each side has at least one whatever the
// range. Returns the values on `side`, ascending.
inline std::vector<int64_t> micro_constants_on(MicroSplit side, const std::string& family, int64_t lo, int64_t hi) {
  if (hi <= lo) throw std::logic_error("micro family " + family + " needs at least two constants");
  std::vector<std::pair<uint64_t, int64_t>> ranked;
  for (int64_t v = lo; v <= hi; ++v) {
    ranked.push_back({splitmix64_mix(fnv1a("micro-constant:" + family) ^ static_cast<uint64_t>(v)), v});
  }
  std::sort(ranked.begin(), ranked.end());
  const size_t held_out = (ranked.size() + 4) / 5;
  std::vector<int64_t> out;
  for (size_t i = 0; i < ranked.size(); ++i)
    if ((i < held_out) == (side == MicroSplit::test)) out.push_back(ranked[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

// Person names: training and test lists share none (and none is a word of the templates).
inline const std::vector<std::string>& micro_names(MicroSplit side) {
  static const std::vector<std::string> train = {"Ana",  "Ben",  "Cara", "Dan",  "Eva", "Finn", "Gina", "Hugo",
                                                 "Iris", "Jack", "Kate", "Leo",  "Mia", "Ned",  "Olga", "Paul"};
  static const std::vector<std::string> test = {"Rosa", "Sam", "Tina", "Umar", "Vera", "Walt", "Yara", "Zeke"};
  return side == MicroSplit::train ? train : test;
}

// The things word problems count, on both sides of the split at every micro level.
inline const std::vector<std::string>& micro_items() {
  static const std::vector<std::string> items = {"apples", "pencils", "marbles", "stickers", "cookies",
                                                 "books",  "cards",   "shells",  "stamps",   "balloons"};
  return items;
}

}  // namespace sftx::rt::synth
