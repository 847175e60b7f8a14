#include "reference/activations.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace nn::ref {
namespace {

float activate(ActivationKind kind, float z, float alpha) {
  switch (kind) {
    case ActivationKind::relu: return z > 0.0f ? z : 0.0f;
    case ActivationKind::leaky_relu: return z > 0.0f ? z : alpha * z;
    case ActivationKind::sigmoid: return 1.0f / (1.0f + std::exp(-z));
    case ActivationKind::tanh: return std::tanh(z);
    case ActivationKind::linear:
    case ActivationKind::softmax: break;
  }
  return z;
}

// f'(z), from y = f(z)
float slope(ActivationKind kind, float y, float alpha) {
  switch (kind) {
    case ActivationKind::relu: return y > 0.0f ? 1.0f : 0.0f;
    case ActivationKind::leaky_relu: return y > 0.0f ? 1.0f : alpha;
    case ActivationKind::sigmoid: return y * (1.0f - y);
    case ActivationKind::tanh: return 1.0f - y * y;
    case ActivationKind::linear:
    case ActivationKind::softmax: break;
  }
  return 1.0f;
}

void softmax_row(const float* z, float* y, size_t cols) {
  const float max = *std::max_element(z, z + cols);  // e^(z - max) cannot overflow
  double sum = 0;
  for (size_t j = 0; j < cols; ++j) sum += std::exp(static_cast<double>(z[j]) - max);
  for (size_t j = 0; j < cols; ++j) y[j] = static_cast<float>(std::exp(static_cast<double>(z[j]) - max) / sum);
}

void softmax_row_backward(const float* y, const float* dy, float* dz, size_t cols) {
  double dot = 0;  // Σ_i dy_i y_i
  for (size_t i = 0; i < cols; ++i) dot += static_cast<double>(dy[i]) * y[i];
  for (size_t j = 0; j < cols; ++j) dz[j] = static_cast<float>(y[j] * (dy[j] - dot));
}

}  // namespace

void activation_forward(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols, float alpha) {
  if (kind == ActivationKind::softmax) {
    std::vector<float> row(cols);  // z and y may be the same array
    for (size_t r = 0; r < rows; ++r) {
      std::copy(z + r * cols, z + (r + 1) * cols, row.begin());
      softmax_row(row.data(), y + r * cols, cols);
    }
    return;
  }
  for (size_t i = 0; i < rows * cols; ++i) y[i] = activate(kind, z[i], alpha);
}

void activation_backward(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows, size_t cols,
                         float alpha) {
  if (kind == ActivationKind::softmax) {
    std::vector<float> row(cols);  // dy and dz may be the same array
    for (size_t r = 0; r < rows; ++r) {
      std::copy(dy + r * cols, dy + (r + 1) * cols, row.begin());
      softmax_row_backward(y + r * cols, row.data(), dz + r * cols, cols);
    }
    return;
  }
  for (size_t i = 0; i < rows * cols; ++i) dz[i] = slope(kind, y[i], alpha) * dy[i];
}

}  // namespace nn::ref
