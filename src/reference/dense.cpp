#include "reference/dense.h"

namespace nn::ref {

void dense_forward(const float* x, const float* w, const float* b, float* z, int n, int d, int k) {
  for (int i = 0; i < n; ++i)
    for (int u = 0; u < k; ++u) {
      double sum = b[u];
      for (int j = 0; j < d; ++j) sum += static_cast<double>(x[i * d + j]) * w[j * k + u];
      z[i * k + u] = static_cast<float>(sum);
    }
}

void dense_weight_grad(const float* x, const float* dz, float* dw, int n, int d, int k) {
  for (int j = 0; j < d; ++j)
    for (int u = 0; u < k; ++u) {
      double sum = 0;
      for (int i = 0; i < n; ++i) sum += static_cast<double>(x[i * d + j]) * dz[i * k + u];
      dw[j * k + u] += static_cast<float>(sum);
    }
}

void dense_bias_grad(const float* dz, float* db, int n, int k) {
  for (int u = 0; u < k; ++u) {
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += dz[i * k + u];
    db[u] += static_cast<float>(sum);
  }
}

void dense_input_grad(const float* dz, const float* w, float* dx, int n, int d, int k) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) {
      double sum = 0;
      for (int u = 0; u < k; ++u) sum += static_cast<double>(dz[i * k + u]) * w[j * k + u];
      dx[i * d + j] = static_cast<float>(sum);
    }
}

}  // namespace nn::ref
