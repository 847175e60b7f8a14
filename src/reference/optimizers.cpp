#include "reference/optimizers.h"

#include <cmath>

namespace nn::ref {

void sgd_update(float* value, const float* grad, size_t n, float lr) {
  for (size_t i = 0; i < n; ++i) value[i] = static_cast<float>(value[i] - static_cast<double>(lr) * grad[i]);
}

void sgd_momentum_update(float* value, const float* grad, float* velocity, size_t n, float lr, float momentum) {
  for (size_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(momentum) * velocity[i] - static_cast<double>(lr) * grad[i];
    velocity[i] = static_cast<float>(v);
    value[i] = static_cast<float>(value[i] + v);
  }
}

void adam_update(float* value, const float* grad, float* m, float* v, size_t n, float lr, float beta_1, float beta_2,
                 float epsilon, long t) {
  const double b1 = beta_1, b2 = beta_2;
  const double alpha = lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
  for (size_t i = 0; i < n; ++i) {
    const double g = grad[i];
    const double mi = m[i] + (g - m[i]) * (1.0 - b1);
    const double vi = v[i] + (g * g - v[i]) * (1.0 - b2);
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    value[i] = static_cast<float>(value[i] - alpha * mi / (std::sqrt(vi) + epsilon));
  }
}

}  // namespace nn::ref
