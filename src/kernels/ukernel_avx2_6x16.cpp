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

#include "kernels/ukernel.h"

namespace nn {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 16;

template <int R, int NV>
void tile(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc, int tail,
          float alpha, float beta) {
  // Lanes of the last vector that are valid columns: all 8 unless this is an edge tile.
  const __m256i last = _mm256_cmpgt_epi32(_mm256_set1_epi32(tail), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  __m256 acc[R][NV];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_setzero_ps();

  for (int p = 0; p < k; ++p) {
    __m256 bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV - 1; ++v) bv[v] = _mm256_loadu_ps(b + 8 * v);
    bv[NV - 1] = _mm256_maskload_ps(b + 8 * (NV - 1), last);  // never reads past column `cols`
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i * a_row);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
    }
    a += a_step;
    b += b_step;
  }

  // C = alpha · acc + beta · C; the last vector of each row masked to the valid columns.
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const __m256i all = _mm256_set1_epi32(-1);
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

template <int NV, int... R>
constexpr auto make_row_table(std::integer_sequence<int, R...>) {
  return std::array<TileFn, sizeof...(R)>{&tile<R + 1, NV>...};
}

void compute(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc,
             int rows, int cols, float alpha, float beta) {
  static constexpr auto one = make_row_table<1>(std::make_integer_sequence<int, kMR>{});
  static constexpr auto two = make_row_table<2>(std::make_integer_sequence<int, kMR>{});
  const int tail = cols > 8 ? cols - 8 : cols;  // valid columns in the last vector
  (cols > 8 ? two : one)[rows - 1](k, a, a_row, a_step, b, b_step, c, ldc, tail, alpha, beta);
}

}  // namespace

const MicroKernel& ukernel_avx2() {
  static const MicroKernel kernel{"avx2 6x16", kMR, kNR, compute, /*exact_edges=*/true};
  return kernel;
}

}  // namespace nn
#endif  // __x86_64__
