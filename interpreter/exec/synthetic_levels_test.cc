// The checker's table of synthetic kinds and levels (stdlib/builtins.cc) and the runtime's
// (stdlib/synthetic/synthetic.cc) must agree: one says what `check` accepts, the other what a
// run can generate. This binary links both.
#include <catch2/catch.hpp>

#include "stdlib/builtins.h"
#include "stdlib/synthetic/synthetic.h"

TEST_CASE("the checker and the runtime agree on synthetic kinds and levels", "[synthetic]") {
  CHECK(sftx::known_synthetic_kinds() == sftx::rt::synth::synthetic_kinds());
  CHECK(sftx::known_synthetic_levels() == sftx::rt::synth::synthetic_levels());
  for (const auto& kind : sftx::known_synthetic_kinds())
    for (const std::string level : {"paper", "micro", "hard"}) {
      INFO(kind << " " << level);
      CHECK(sftx::synthetic_kind_has_level(kind, level) == sftx::rt::synth::synthetic_kind_has_level(kind, level));
    }
}
