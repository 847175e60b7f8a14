#include "losses/binary_crossentropy.h"

#include <algorithm>
#include <cmath>

namespace nn::losses {

float BinaryCrossentropy::value(const Tensor& y_pred, const Tensor& y_true) const {
  check_shapes(y_pred, y_true);
  double sum = 0.0;
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const double p = std::clamp(y_pred[i], kProbabilityEpsilon, 1.0f - kProbabilityEpsilon);
    const double y = y_true[i];
    sum -= y * std::log(p) + (1.0 - y) * std::log(1.0 - p);
  }
  return static_cast<float>(sum / static_cast<double>(y_pred.size()));
}

void BinaryCrossentropy::gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const {
  check_shapes(y_pred, y_true);
  grad.resize(y_pred.shape());
  const float inv_count = 1.0f / static_cast<float>(y_pred.size());
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const float p = y_pred[i];
    const bool clipped = p < kProbabilityEpsilon || p > 1.0f - kProbabilityEpsilon;
    grad[i] = clipped ? 0.0f : (p - y_true[i]) / (p * (1.0f - p)) * inv_count;
  }
}

void BinaryCrossentropy::gradient_from_logits(const Tensor& y_pred, const Tensor& y_true, Tensor& dz) const {
  check_shapes(y_pred, y_true);
  dz.resize(y_pred.shape());
  const float inv_count = 1.0f / static_cast<float>(y_pred.size());
  for (size_t i = 0; i < y_pred.size(); ++i) dz[i] = (y_pred[i] - y_true[i]) * inv_count;
}

void BinaryCrossentropy::check_targets(const Tensor& y_true, const std::string& where) const {
  check_probabilities(y_true, where);
}

}  // namespace nn::losses
