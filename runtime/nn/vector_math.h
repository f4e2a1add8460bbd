// Small helpers shared by the CPU loops (fused_elementwise.cc, cpu_attention.cc): how a loop is
// compiled for the CPU it runs on, how many rows a thread takes, an exp that vectorises, and
// row reductions in eight running partials combined in a fixed order. Files that use exp_poly in a loop are compiled with -fno-trapping-math (CMakeLists.txt),
// without which GCC will not vectorise its clamp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <ATen/Parallel.h>

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

// Sums over a row in eight running partial sums, so that the compiler may keep them in one
// vector register (one running sum is a chain of dependent adds it may not reorder).
inline float sum_of_products(const float* a, const float* b, int64_t n) {
  float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) part[j] += a[i + j] * b[i + j];
  float sum = sum_of_partials(part);
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

inline float sum_of_products(const float* a, const float* b, const float* c, int64_t n) {
  float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) part[j] += a[i + j] * b[i + j] * c[i + j];
  float sum = sum_of_partials(part);
  for (; i < n; ++i) sum += a[i] * b[i] * c[i];
  return sum;
}

// The largest of x[0, n), in eight running maxima (-inf for an empty row); a NaN is skipped, as
// std::max(part, NaN) keeps part.
inline float max_of(const float* x, int64_t n) {
  float part[8];
  for (int j = 0; j < 8; ++j) part[j] = -INFINITY;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) part[j] = std::max(part[j], x[i + j]);
  float m = std::max(std::max(std::max(part[0], part[4]), std::max(part[1], part[5])),
                     std::max(std::max(part[2], part[6]), std::max(part[3], part[7])));
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

// Rows per task: enough elements per task that splitting is worth a thread hand-off (ATen's
// own grain).
inline int64_t row_grain(int64_t row_length) {
  return std::max<int64_t>(1, at::internal::GRAIN_SIZE / std::max<int64_t>(1, row_length));
}

}  // namespace sftx::rt::vec
