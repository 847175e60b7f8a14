// The reference matrix multiply: three loops straight from the definition
//   C[i][j] = alpha · Σ_p op(A)[i][p] · op(B)[p][j] + beta · C[i][j]
// It accumulates in double so its own rounding error is negligible next to the fast
// kernel's, which makes it a fair oracle.
#include "kernels/gemm.h"

namespace nn {

void sgemm_ref(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
               const float* b, int ldb, float beta, float* c, int ldc) {
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double sum = 0.0;
      for (int p = 0; p < k; ++p) {
        float a_ip = trans_a ? a[p * lda + i] : a[i * lda + p];
        float b_pj = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        sum += static_cast<double>(a_ip) * b_pj;
      }
      float& out = c[i * ldc + j];
      out = static_cast<float>(alpha * sum + (beta == 0.0f ? 0.0 : static_cast<double>(beta) * out));
    }
  }
}

}  // namespace nn
