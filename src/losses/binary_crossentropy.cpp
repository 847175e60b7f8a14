#include "losses/binary_crossentropy.h"

#include <algorithm>
#include <cmath>

namespace nn::losses {
namespace {

// Keras's clip bounds and its epsilon, as the float32 numbers TensorFlow uses.
constexpr double kEps = kProbabilityEpsilon;
constexpr double kHigh = 1.0f - kProbabilityEpsilon;

}  // namespace

float BinaryCrossentropy::value(const Tensor& y_pred, const Tensor& y_true) const {
  check_shapes(y_pred, y_true);
  double sum = 0.0;
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const double c = std::clamp(static_cast<double>(y_pred[i]), kEps, kHigh);
    const double y = y_true[i];
    sum -= y * std::log(c + kEps) + (1.0 - y) * std::log(1.0 - c + kEps);
  }
  return static_cast<float>(sum / static_cast<double>(y_pred.size()));
}

void BinaryCrossentropy::gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const {
  check_shapes(y_pred, y_true);
  grad.resize(y_pred.shape());
  const double inv_count = 1.0 / static_cast<double>(y_pred.size());
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const double p = y_pred[i], y = y_true[i];
    const bool clipped = p < kEps || p > kHigh;  // TF passes the gradient at the bounds
    grad[i] = clipped ? 0.0f : static_cast<float>((-y / (p + kEps) + (1.0 - y) / (1.0 - p + kEps)) * inv_count);
  }
}

float BinaryCrossentropy::value_from_logits(const Tensor& z, const Tensor& y_true) const {
  check_shapes(z, y_true);
  double sum = 0.0;
  for (size_t i = 0; i < z.size(); ++i) {
    const double v = z[i];
    sum += std::max(v, 0.0) - v * y_true[i] + std::log1p(std::exp(-std::abs(v)));
  }
  return static_cast<float>(sum / static_cast<double>(z.size()));
}

void BinaryCrossentropy::gradient_from_logits(const Tensor& z, const Tensor& y_true, Tensor& dz) const {
  check_shapes(z, y_true);
  dz.resize(z.shape());
  const double inv_count = 1.0 / static_cast<double>(z.size());
  for (size_t i = 0; i < z.size(); ++i) {
    const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(z[i])));  // sigmoid(z)
    dz[i] = static_cast<float>((p - y_true[i]) * inv_count);
  }
}

void BinaryCrossentropy::check_targets(const Tensor& y_true, const std::string& where) const {
  check_probabilities(y_true, where);
}

}  // namespace nn::losses
