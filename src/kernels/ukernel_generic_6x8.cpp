// Portable micro-kernel, 6 rows × 8 columns, plain C++: the fallback for CPUs without
// AVX2 (or not x86 at all) and the readable version of what the SIMD kernels do.
//
// Why 6 × 8: the 48 partial sums must live in registers for the whole k loop. The compiler
// turns each row of 8 into two 4-wide SSE (or NEON) vectors, so the tile needs 12 of the
// 16 vector registers x86-64 guarantees, leaving room for the two B vectors and the
// broadcast A value. A bigger tile would spill to memory and run slower.
#include "kernels/ukernel.h"

namespace nn {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 8;

void compute(int k, const float* a, long a_stride, const float* b, long b_stride, float* c, long ldc, int rows,
             int cols, float alpha, float beta) {
  float acc[kMR][kNR] = {};
  for (int p = 0; p < k; ++p) {
    const float* ap = a + p * a_stride;
    const float* bp = b + p * b_stride;
    for (int i = 0; i < kMR; ++i)
      for (int j = 0; j < kNR; ++j) acc[i][j] += ap[i] * bp[j];
  }
  // Only the valid part of the tile is written; rows/columns past the edge of C were
  // computed from zero padding and are dropped.
  for (int i = 0; i < rows; ++i) {
    float* ci = c + i * ldc;
    if (beta == 0.0f) {
      for (int j = 0; j < cols; ++j) ci[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < cols; ++j) ci[j] = alpha * acc[i][j] + beta * ci[j];
    }
  }
}

}  // namespace

const MicroKernel& ukernel_generic() {
  static const MicroKernel kernel{"generic 6x8", kMR, kNR, compute};
  return kernel;
}

}  // namespace nn
