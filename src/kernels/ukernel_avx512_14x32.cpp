// AVX-512 micro-kernel, 14 rows × 32 columns.
//
// A zmm register holds 16 floats, so a row of the tile is two registers and the whole
// 14 × 32 tile of partial sums is 28 of the 32 zmm registers. Per k-step the kernel loads
// two B vectors (32 floats), then for each of the 14 rows broadcasts one A value and does
// two fused multiply-adds: 28 FMAs for 16 loads.
//
// Why that many accumulators: an FMA takes 4 cycles to finish and the core starts two per
// cycle, so at least 8 independent sums must be in flight to keep both FMA units busy.
// 28 leaves ample slack for the loads. (The tile sizes 8×48, 12×32, 6×64 all fit too; this
// one measured best on Zen 5 for the shapes that matter here, see gemm.cpp.)
//
// Edge tiles use the same code with fewer rows (a template parameter, so there is no
// wasted arithmetic) and masked loads/stores for the columns: every C element is computed
// by exactly the same sequence of instructions as in a full tile.
#if defined(__x86_64__)
#include <immintrin.h>

#include <array>
#include <utility>

#include "kernels/ukernel.h"

namespace nn {
namespace {

constexpr int kMR = 14;
constexpr int kNR = 32;

// R rows (1..kMR) × NV vectors (1 or 2) of 16 columns; `last` masks the columns of the
// final vector.
template <int R, int NV>
void tile(int k, const float* a, long a_stride, const float* b, long b_stride, float* c, long ldc, __mmask16 last,
          float alpha, float beta) {
  __m512 acc[R][NV];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();

  for (int p = 0; p < k; ++p) {
    __m512 bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    a += a_stride;
    b += b_stride;
  }

  // C = alpha · acc + beta · C, the last vector of each row masked to the valid columns.
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      const __mmask16 mask = (v == NV - 1) ? last : __mmask16(0xffff);
      __m512 out = _mm512_mul_ps(acc[i][v], va);
      if (beta != 0.0f) out = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, ci + 16 * v), vb, out);
      _mm512_mask_storeu_ps(ci + 16 * v, mask, out);
    }
  }
}

using TileFn = void (*)(int, const float*, long, const float*, long, float*, long, __mmask16, float, float);

template <int NV, int... R>
constexpr auto make_row_table(std::integer_sequence<int, R...>) {
  return std::array<TileFn, sizeof...(R)>{&tile<R + 1, NV>...};
}

void compute(int k, const float* a, long a_stride, const float* b, long b_stride, float* c, long ldc, int rows,
             int cols, float alpha, float beta) {
  static constexpr auto one = make_row_table<1>(std::make_integer_sequence<int, kMR>{});
  static constexpr auto two = make_row_table<2>(std::make_integer_sequence<int, kMR>{});
  const int tail = cols > 16 ? cols - 16 : cols;
  const __mmask16 last = static_cast<__mmask16>((1u << tail) - 1);
  (cols > 16 ? two : one)[rows - 1](k, a, a_stride, b, b_stride, c, ldc, last, alpha, beta);
}

}  // namespace

const MicroKernel& ukernel_avx512() {
  static const MicroKernel kernel{"avx512 14x32", kMR, kNR, compute};
  return kernel;
}

}  // namespace nn
#endif  // __x86_64__
