#include "reference/batch_norm.h"

#include <cmath>

namespace nn::ref {
namespace {

double x_hat(const float* x, const float* mean, const float* variance, float epsilon, int r, int j, int c) {
  return (x[r * c + j] - static_cast<double>(mean[j])) / std::sqrt(static_cast<double>(variance[j]) + epsilon);
}

}  // namespace

void batch_norm_statistics(const float* x, int m, int c, float* mean, float* variance) {
  for (int j = 0; j < c; ++j) {
    double sum = 0;
    for (int r = 0; r < m; ++r) sum += x[r * c + j];
    const double mu = m > 0 ? sum / m : 0.0;
    double squares = 0;
    for (int r = 0; r < m; ++r) squares += (x[r * c + j] - mu) * (x[r * c + j] - mu);
    mean[j] = static_cast<float>(mu);
    variance[j] = static_cast<float>(m > 0 ? squares / m : 0.0);
  }
}

void batch_norm_update_moving(float* moving, const float* batch, float momentum, int c) {
  for (int j = 0; j < c; ++j) moving[j] = momentum * moving[j] + (1.0f - momentum) * batch[j];
}

void batch_norm_forward(const float* x, const float* mean, const float* variance, const float* gamma,
                        const float* beta, float epsilon, float* y, int m, int c) {
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < c; ++j)
      y[r * c + j] = static_cast<float>(gamma[j] * x_hat(x, mean, variance, epsilon, r, j, c) + beta[j]);
}

void batch_norm_param_grads(const float* dy, const float* x, const float* mean, const float* variance,
                            float epsilon, float* gamma_grad, float* beta_grad, int m, int c) {
  for (int j = 0; j < c; ++j) {
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int r = 0; r < m; ++r) {
      sum_dy += dy[r * c + j];
      sum_dy_xhat += dy[r * c + j] * x_hat(x, mean, variance, epsilon, r, j, c);
    }
    beta_grad[j] += static_cast<float>(sum_dy);
    gamma_grad[j] += static_cast<float>(sum_dy_xhat);
  }
}

void batch_norm_input_grad_training(const float* dy, const float* x, const float* mean, const float* variance,
                                    const float* gamma, float epsilon, float* dx, int m, int c) {
  for (int j = 0; j < c; ++j) {
    double mean_dy = 0, mean_dy_xhat = 0;
    for (int r = 0; r < m; ++r) {
      mean_dy += dy[r * c + j];
      mean_dy_xhat += dy[r * c + j] * x_hat(x, mean, variance, epsilon, r, j, c);
    }
    mean_dy /= m;
    mean_dy_xhat /= m;
    const double gamma_over_sigma = gamma[j] / std::sqrt(static_cast<double>(variance[j]) + epsilon);
    for (int r = 0; r < m; ++r)
      dx[r * c + j] = static_cast<float>(
          gamma_over_sigma * (dy[r * c + j] - mean_dy - x_hat(x, mean, variance, epsilon, r, j, c) * mean_dy_xhat));
  }
}

void batch_norm_input_grad_inference(const float* dy, const float* variance, const float* gamma, float epsilon,
                                     float* dx, int m, int c) {
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < c; ++j)
      dx[r * c + j] = static_cast<float>(gamma[j] / std::sqrt(static_cast<double>(variance[j]) + epsilon) * dy[r * c + j]);
}

}  // namespace nn::ref
