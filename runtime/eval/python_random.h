// CPython's random.Random (3.11), for one purpose: to reproduce langdetect's seeded stream
// (runtime/eval/langdetect.h), whose verdicts depend on exactly which n-grams it draws. sftx's
// own randomness is runtime/base/prng.h; this is a port of a peer's generator, not a second
// PRNG to use elsewhere.
//
// MT19937 seeded as random.seed(int) seeds it (init_by_array over the integer's 32-bit words),
// random() from two draws (53 bits), getrandbits(k <= 32), choice() by rejection
// (_randbelow_with_getrandbits), gauss() with its cached second value (Box-Muller over
// random(), libm's log, sqrt, cos, sin: the same functions CPython's math module calls).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace sftx::rt {

class PythonRandom {
 public:
  explicit PythonRandom(uint64_t seed = 0) { seed_with(seed); }
  // random.seed(n) for a non-negative int n (version 2); also clears gauss()'s cached value.
  void seed_with(uint64_t n);
  uint32_t genrand_uint32();
  double random();                   // [0, 1), 53 bits
  uint32_t getrandbits(int k);       // 1 <= k <= 32
  size_t randbelow(size_t n);        // [0, n), n >= 1 and < 2^32
  double gauss(double mu, double sigma);

 private:
  std::array<uint32_t, 624> mt_{};
  int index_ = 625;
  std::optional<double> gauss_next_;
};

}  // namespace sftx::rt
