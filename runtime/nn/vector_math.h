// Small float helpers shared by the CPU loops (fused_elementwise.cc, cpu_attention.cc): how a
// loop is compiled for the CPU it runs on, an exp that vectorises, and a fixed-order sum of
// partials. Files that use exp_poly in a loop are compiled with -fno-trapping-math (CMakeLists.txt),
// without which GCC will not vectorise its clamp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

// Each loop is compiled twice, for AVX2 with FMA and for the baseline x86-64, and the first call
// picks the one the CPU runs (GCC's target_clones, resolved once by the dynamic loader): the
// baseline build must run anywhere, and LibTorch's own kernels dispatch the same way.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SFTX_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SFTX_VECTOR_CLONES
#endif

namespace sftx::rt::vec {

// exp(x) in float without a library call, so that the loops around it vectorise (a call to expf
// does not): Cephes' expf, x = n ln2 + r with |r| <= ln2 / 2, a degree-7 polynomial for e^r and
// 2^n by the exponent bits. Relative error under 2e-7 on [-87, 88]; inputs outside are clamped
// (e^-87.3 is the smallest normal float, e^88.7 the largest).
inline float exp_poly(float x) {
  x = std::min(std::max(x, -87.3f), 88.7f);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// Eight running partials added in one fixed pairing, so a row's result does not depend on
// which clone or thread computed it.
inline float sum_of_partials(const float (&part)[8]) {
  return ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
}

}  // namespace sftx::rt::vec
