// TEMPORARY: forwards to the reference loop until the blocked, packed, SIMD kernel lands
// (issue 3). Layers are written against the contract in gemm.h, so nothing else changes.
#include "kernels/gemm.h"

namespace nn {

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc) {
  sgemm_ref(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace nn
