// AVX2 + FMA micro-kernel, 6 rows × 16 columns (for x86 CPUs without AVX-512).
//
// A ymm register holds 8 floats and there are only 16 of them: the 6 × 16 tile of partial
// sums takes 12, the two B vectors of a k-step 2, the broadcast A value 1. Per k-step:
// 2 loads + 6 broadcasts feed 12 FMAs, enough independent sums (≥ 2 units × 4 cycles) to
// keep both FMA units busy.
//
// Edge tiles reuse the same code with fewer rows (a template parameter) and masked
// loads/stores for the columns, so each C element is computed exactly as in a full tile,
// and nothing past the valid rows of A or columns of B is ever read (exact_edges).
#if defined(__x86_64__)
#include <immintrin.h>

#include <array>
#include <utility>

#include "kernels/transpose_avx.h"
#include "kernels/ukernel.h"

namespace nn {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 16;

// R rows (1..kMR) × NV vectors (1 or 2) of 8 columns; `tail` = valid columns in the last
// vector. Masked: the last vector is partial, so B is loaded with a mask (kept out of the
// full-tile code: with only 16 ymm registers, the mask would push a sum out to memory).
// The k loop alone, leaving the sums in acc. It is a separate, non-inlined function so
// that alpha and beta are not alive during the loop: 12 sums + 2 B vectors + 1 broadcast
// already take 15 of the 16 ymm registers, and two more would push a sum out to memory,
// which halves the speed.
template <int R, int NV, bool Masked>
__attribute__((noinline)) void k_loop(int k, const float* a, long a_row, long a_step, const float* b, long b_step,
                                      int tail, __m256 (&out)[R][NV]) {
  const __m256i load_mask = Masked ? avx::first_lanes8(tail) : _mm256_setzero_si256();
  __m256 acc[R][NV];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_setzero_ps();

  for (int p = 0; p < k; ++p) {
    __m256 bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV - 1; ++v) bv[v] = _mm256_loadu_ps(b + 8 * v);
    // never reads past column `cols`
    bv[NV - 1] = Masked ? _mm256_maskload_ps(b + 8 * (NV - 1), load_mask) : _mm256_loadu_ps(b + 8 * (NV - 1));
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i * a_row);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    a += a_step;
    b += b_step;
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) out[i][v] = acc[i][v];
}

template <int R, int NV, bool Masked>
void tile(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc, int tail,
          float alpha, float beta) {
  __m256 acc[R][NV];
  k_loop<R, NV, Masked>(k, a, a_row, a_step, b, b_step, tail, acc);

  // C = alpha · acc + beta · C; the last vector of each row masked to the valid columns.
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const __m256i all = _mm256_set1_epi32(-1), last = avx::first_lanes8(tail);
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      const __m256i mask = (v == NV - 1) ? last : all;
      __m256 out = _mm256_mul_ps(acc[i][v], va);
      if (beta != 0.0f) out = _mm256_fmadd_ps(_mm256_maskload_ps(ci + 8 * v, mask), vb, out);
      _mm256_maskstore_ps(ci + 8 * v, mask, out);
    }
  }
}

using TileFn = void (*)(int, const float*, long, long, const float*, long, float*, long, int, float, float);

template <int NV, bool Masked, int... R>
constexpr std::array<TileFn, sizeof...(R)> row_table(std::integer_sequence<int, R...>) {
  return {&tile<R + 1, NV, Masked>...};
}

void compute(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc,
             int rows, int cols, float alpha, float beta) {
  using Rows = std::make_integer_sequence<int, kMR>;
  static constexpr std::array<TileFn, kMR> table[2][2] = {{row_table<1, false>(Rows{}), row_table<1, true>(Rows{})},
                                                          {row_table<2, false>(Rows{}), row_table<2, true>(Rows{})}};
  const int nv = (cols + 7) / 8;
  const int tail = cols - 8 * (nv - 1);  // valid columns in the last vector
  table[nv - 1][tail < 8][rows - 1](k, a, a_row, a_step, b, b_step, c, ldc, tail, alpha, beta);
}

// Packs a B panel (see PackPanelFn in ukernel.h). A transposed B (p_stride = 1) goes
// through two 8 × 8 register transposes per 8 k-steps; a row-major B is copied 16
// floats per k-step. (A panels need no help: a row-major A is read in place and a
// transposed one is a plain copy, see gemm.cpp.)
void pack_b(const float* src, long q_stride, long p_stride, int count, int kc, float* dst) {
  if (p_stride == 1) {
    for (int q0 = 0; q0 < kNR; q0 += 8)
      avx::transpose_block8(src + q0 * q_stride, q_stride, count - q0, kc, kNR, dst + q0);
    return;
  }
  if (q_stride != 1) {  // neither stride is 1: not produced by gemm.cpp, but stay correct
    for (int p = 0; p < kc; ++p)
      for (int q = 0; q < kNR; ++q) dst[p * kNR + q] = q < count ? src[q * q_stride + p * p_stride] : 0.0f;
    return;
  }
  // Masked loads read only the `count` valid columns; the rest of the panel is zeros.
  const __m256i lo = avx::first_lanes8(count), hi = avx::first_lanes8(count - 8);
  for (int p = 0; p < kc; ++p, dst += kNR) {
    const float* s = src + p * p_stride;
    _mm256_storeu_ps(dst, _mm256_maskload_ps(s, lo));
    _mm256_storeu_ps(dst + 8, _mm256_maskload_ps(s + 8, hi));
  }
}

}  // namespace

const MicroKernel& ukernel_avx2() {
  static const MicroKernel kernel{"avx2 6x16", kMR, kNR, compute, /*exact_edges=*/true,
                                  /*fast_strided_a=*/true, /*pack_a=*/nullptr, pack_b};
  return kernel;
}

}  // namespace nn
#endif  // __x86_64__
