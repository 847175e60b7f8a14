// 8 × 8 transposes with AVX, for the packing routines of the SIMD micro-kernels.
//
// Packing a transposed operand (a column of op(B) stored as a row, for instance) turns
// 8 vectors that are contiguous along k into rows that are contiguous across the panel.
// One float at a time that costs several cycles per element, as much as the arithmetic
// for the training shapes; 8 × 8 blocks through registers cost about a third of a cycle.
//
// Include only from files compiled with -mavx2 or -mavx512f (ukernel_avx2_*.cpp,
// ukernel_avx512_*.cpp): the rest of the library must run on CPUs without AVX.
#pragma once
#if !defined(__AVX__)
#error "transpose_avx.h needs AVX: include it only from the ukernel_avx*.cpp files"
#endif
#include <immintrin.h>

namespace nn {
namespace avx {

// Transposes the 8 × 8 block held in r[0..7] in place: three rounds of shuffles that
// exchange 32-bit, 64-bit, then 128-bit pieces between pairs of registers.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 2; ++i) {
    u[4 * i + 0] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xee);
    u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xee);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}

// Lanes [0, n) set, for masked loads (n in 0..8).
inline __m256i first_lanes8(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// 8 source vectors q = 0..7, vector q at src + q * q_stride and contiguous along p, are
// written as kc rows of 8: dst[p * width + q]. Vectors q ≥ count are missing (read as
// zero, never touched), and nothing past element kc - 1 of a vector is read.
inline void transpose_block8(const float* src, long q_stride, int count, int kc, int width, float* dst) {
  __m256 r[8];
  int p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (int q = 0; q < 8; ++q) r[q] = q < count ? _mm256_loadu_ps(src + q * q_stride + p) : _mm256_setzero_ps();
    transpose8(r);
    for (int i = 0; i < 8; ++i) _mm256_storeu_ps(dst + (p + i) * width, r[i]);
  }
  if (p < kc) {  // the last kc % 8 steps
    const __m256i mask = first_lanes8(kc - p);
    for (int q = 0; q < 8; ++q)
      r[q] = q < count ? _mm256_maskload_ps(src + q * q_stride + p, mask) : _mm256_setzero_ps();
    transpose8(r);
    for (int i = 0; p + i < kc; ++i) _mm256_storeu_ps(dst + (p + i) * width, r[i]);
  }
}

}  // namespace avx
}  // namespace nn
