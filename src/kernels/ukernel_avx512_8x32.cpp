// AVX-512 micro-kernel, 8 rows × 32 columns, and the packing routines that feed it.
// (Compiled with -mavx512f -mavx512dq -mavx512vl -mavx512bw -mfma; it only runs when
// cpu.cpp has found those instructions.)
//
// A zmm register holds 16 floats, so a row of the tile is two registers and the 8 × 32
// tile of partial sums is 16 of the 32 zmm registers. Per k-step the kernel loads two B
// vectors (32 floats), then for each of the 8 rows broadcasts one A value and does two
// fused multiply-adds: 16 FMAs for 10 loads.
//
// Why at least 16 accumulators: an FMA takes 4 cycles to finish and the core starts two
// per cycle, so 8 independent sums must be in flight just to keep both FMA units busy;
// 16 leaves slack for the loads. Tiles of 8×32, 12×32, 14×32, 8×48 and 6×64 all ran near
// the FMA peak with their data in L1 (tests/bench/RESULTS.md), so the shape was chosen for the
// matrices we multiply: the training batch is 32 rows (4 tiles of 8, no ragged edge),
// the layer widths 32, 64, 200 waste little in 32-column tiles, and 8 rows of a row-major
// A can be read in place as 8 sequential streams (gemm.cpp).
//
// Edge tiles use the same code with fewer rows (a template parameter, so no arithmetic is
// wasted) and masked loads/stores for the columns: every C element is computed by exactly
// the same sequence of instructions as in a full tile, and nothing past the valid rows of
// A or columns of B is ever read (exact_edges).
#if defined(__x86_64__)
#include <immintrin.h>

#include <array>
#include <utility>

#include "kernels/transpose_avx.h"
#include "kernels/ukernel.h"

namespace nn {
namespace {

constexpr int kMR = 8;
constexpr int kNV = 2;  // vectors of 16 per row
constexpr int kNR = 16 * kNV;

__mmask16 first_lanes(int n) { return static_cast<__mmask16>((1u << n) - 1); }  // n in 0..16

// R rows (1..kMR) × NV vectors (1..kNV) of 16 columns; `tail` = valid columns in the last.
template <int R, int NV>
void tile(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc, int tail,
          float alpha, float beta) {
  const __mmask16 last = first_lanes(tail);
  __m512 acc[R][NV];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();

  for (int p = 0; p < k; ++p) {
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV - 1; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
    bv[NV - 1] = _mm512_maskz_loadu_ps(last, b + 16 * (NV - 1));  // never reads past column `cols`
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i * a_row]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    a += a_step;
    b += b_step;
  }

  // C = alpha · acc + beta · C, the last vector of each row masked to the valid columns.
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const __mmask16 mask = (v == NV - 1) ? last : __mmask16(0xffff);
      __m512 out = _mm512_mul_ps(acc[i][v], va);
      if (beta != 0.0f) out = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, ci + 16 * v), vb, out);
      _mm512_mask_storeu_ps(ci + 16 * v, mask, out);
    }
  }
}

using TileFn = void (*)(int, const float*, long, long, const float*, long, float*, long, int, float, float);

template <int NV, int... R>
constexpr std::array<TileFn, sizeof...(R)> row_table(std::integer_sequence<int, R...>) {
  return {&tile<R + 1, NV>...};
}
template <int... V>
constexpr std::array<std::array<TileFn, kMR>, sizeof...(V)> tile_table(std::integer_sequence<int, V...>) {
  return {row_table<V + 1>(std::make_integer_sequence<int, kMR>{})...};
}

void compute(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc,
             int rows, int cols, float alpha, float beta) {
  static constexpr auto table = tile_table(std::make_integer_sequence<int, kNV>{});
  const int nv = (cols + 15) / 16;
  table[nv - 1][rows - 1](k, a, a_row, a_step, b, b_step, c, ldc, cols - 16 * (nv - 1), alpha, beta);
}

// ---- Packing ------------------------------------------------------------------------------
// See PackPanelFn in ukernel.h: vector q (a row of A or a column of B) element p is at
// src[q * q_stride + p * p_stride]; dst[p * width + q], zero for q in [count, width).

template <int Width>
void pack_panel(const float* src, long q_stride, long p_stride, int count, int kc, float* dst) {
  if (p_stride == 1) {
    for (int q0 = 0; q0 < Width; q0 += 8)
      avx::transpose_block8(src + q0 * q_stride, q_stride, count - q0, kc, Width, dst + q0);
  } else if (q_stride == 1) {
    // Copying case: at each k-step the `count` values are contiguous. Masked loads read
    // only the valid ones (and never past the end of the matrix); the rest become zeros.
    for (int p = 0; p < kc; ++p, dst += Width) {
      const float* s = src + p * p_stride;
#pragma GCC unroll 4
      for (int v = 0; v < Width / 16; ++v) {
        const int n = count - 16 * v;
        const __mmask16 m = n >= 16 ? __mmask16(0xffff) : n > 0 ? first_lanes(n) : __mmask16(0);
        _mm512_storeu_ps(dst + 16 * v, _mm512_maskz_loadu_ps(m, s + 16 * v));
      }
      if constexpr (Width % 16 == 8) {
        const int n = count - Width / 16 * 16;
        const __mmask8 m = static_cast<__mmask8>(n >= 8 ? 0xff : n > 0 ? (1u << n) - 1 : 0);
        _mm256_storeu_ps(dst + Width / 16 * 16, _mm256_maskz_loadu_ps(m, s + Width / 16 * 16));
      }
    }
  } else {
    for (int p = 0; p < kc; ++p)
      for (int q = 0; q < Width; ++q) dst[p * Width + q] = q < count ? src[q * q_stride + p * p_stride] : 0.0f;
  }
}

void pack_a(const float* src, long q_stride, long p_stride, int count, int kc, float* dst) {
  pack_panel<kMR>(src, q_stride, p_stride, count, kc, dst);
}
void pack_b(const float* src, long q_stride, long p_stride, int count, int kc, float* dst) {
  pack_panel<kNR>(src, q_stride, p_stride, count, kc, dst);
}

}  // namespace

const MicroKernel& ukernel_avx512() {
  static const MicroKernel kernel{"avx512 8x32", kMR, kNR, compute, /*exact_edges=*/true,
                                  /*fast_strided_a=*/true, pack_a, pack_b};
  return kernel;
}

}  // namespace nn
#endif  // __x86_64__
