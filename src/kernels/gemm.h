// The matrix multiply every Dense and Conv2D layer runs on.
//
// Contract (row-major, like cblas_sgemm with CblasRowMajor):
//   C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C
// op(A) = A when trans_a is false (A is m×k, row stride lda ≥ k), else Aᵀ (A is stored
// k×m, lda ≥ m). Likewise for B (n×k stored when trans_b, ldb ≥ k; else k×n, ldb ≥ n).
// beta = 0 means C is only written, never read (so NaN garbage in C is ignored).
// m, n or k of 0 is allowed: with k = 0 the result is beta · C.
#pragma once

namespace nn {

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc);

// ---- Measuring (Model::set_profile turns this on) ----
// The wall time of the sgemm calls made outside parallel tasks: the multiplies a layer
// calls itself, each split over the threads by sgemm. A multiply inside a layer's own
// parallel tasks (a convolution's, one image per task, between its im2col copies) is not
// counted: that time stays the layer's. Off, it costs one untaken branch a call.
void set_gemm_timing(bool on);  // on or off, and the sum back to zero
double gemm_seconds();

// The micro-kernel sgemm runs on now, e.g. "avx512 14x32" (instruction set and tile
// shape; chosen at run time, see kernels/cpu.h).
const char* sgemm_kernel_name();

// The naive triple loop, in double precision accumulators: slow, obviously right, and the
// oracle every test compares the fast kernel against.
void sgemm_ref(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
               const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace nn
