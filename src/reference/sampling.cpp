#include "reference/sampling.h"

#include <cmath>

namespace nn::ref {

void sampling_forward(const float* mu, const float* log_var, const float* eps, float* z, size_t n, size_t d) {
  for (size_t i = 0; i < n * d; ++i) z[i] = mu[i] + std::exp(0.5f * log_var[i]) * eps[i];
}

float kl_divergence(const float* mu, const float* log_var, size_t n, size_t d, float kl_weight) {
  double total = 0;  // Σ over the batch of each sample's sum over its dims
  for (size_t r = 0; r < n; ++r) {
    double sample = 0;
    for (size_t j = 0; j < d; ++j) {
      const size_t i = r * d + j;
      sample += -0.5 * (1.0 + log_var[i] - static_cast<double>(mu[i]) * mu[i] - std::exp(static_cast<double>(log_var[i])));
    }
    total += sample;
  }
  return static_cast<float>(kl_weight * (total / static_cast<double>(n)));
}

void sampling_backward(const float* dz, const float* mu, const float* log_var, const float* eps, float* d_mu,
                       float* d_log_var, size_t n, size_t d, float kl_weight) {
  const float scale = kl_weight / static_cast<float>(n);  // d(mean over the batch) = 1/N per sample
  for (size_t i = 0; i < n * d; ++i) {
    d_mu[i] = dz[i] + scale * mu[i];
    d_log_var[i] = dz[i] * 0.5f * std::exp(0.5f * log_var[i]) * eps[i] + scale * 0.5f * (std::exp(log_var[i]) - 1.0f);
  }
}

}  // namespace nn::ref
