// Portable micro-kernel, 8 rows × 8 columns, plain C++: the fallback for CPUs without
// AVX2 (or not x86 at all) and the readable version of what the SIMD kernels do.
//
// The 64 partial sums are meant to live in registers for the whole k loop; the compiler
// turns each row of 8 into two 4-wide SSE (or NEON) vectors. Copying the k-step's A and B
// values into small local arrays first tells the compiler they cannot change under it
// (no aliasing with C), which is what lets it vectorise, several times faster than
// indexing the panels directly. (Why 8 × 8: it was the fastest of 4×8, 6×8 and 8×8 with SSE; see
// tests/bench/RESULTS.md.)
#include "kernels/ukernel.h"

namespace nn {
namespace {

constexpr int kMR = 8;
constexpr int kNR = 8;

// kRowStride > 0 fixes a_row at compile time (the packed case, a_row = 1): the compiler
// then sees eight adjacent floats and vectorises; with a run-time row stride it does not,
// which is why this kernel says fast_strided_a = false and gets packed A.
template <long kRowStride>
void compute_tile(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc,
                  int rows, int cols, float alpha, float beta) {
  if (kRowStride > 0) a_row = kRowStride;
  float acc[kMR][kNR] = {};
  for (int p = 0; p < k; ++p, a += a_step, b += b_step) {
    float av[kMR], bv[kNR];
    for (int i = 0; i < kMR; ++i) av[i] = a[i * a_row];
    for (int j = 0; j < kNR; ++j) bv[j] = b[j];
    for (int i = 0; i < kMR; ++i)
      for (int j = 0; j < kNR; ++j) acc[i][j] += av[i] * bv[j];
  }
  // The whole 8 × 8 tile is always computed (edge panels arrive zero-padded, which is why
  // exact_edges stays false); only its valid part is written.
  for (int i = 0; i < rows; ++i) {
    float* ci = c + i * ldc;
    if (beta == 0.0f) {
      for (int j = 0; j < cols; ++j) ci[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < cols; ++j) ci[j] = alpha * acc[i][j] + beta * ci[j];
    }
  }
}

void compute(int k, const float* a, long a_row, long a_step, const float* b, long b_step, float* c, long ldc,
             int rows, int cols, float alpha, float beta) {
  (a_row == 1 ? compute_tile<1> : compute_tile<0>)(k, a, a_row, a_step, b, b_step, c, ldc, rows, cols, alpha, beta);
}

}  // namespace

const MicroKernel& ukernel_generic() {
  static const MicroKernel kernel{"generic 8x8", kMR, kNR, compute};
  return kernel;
}

}  // namespace nn
