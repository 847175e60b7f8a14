#include "losses/categorical_crossentropy.h"

#include <algorithm>
#include <cmath>

namespace nn::losses {

float CategoricalCrossentropy::value(const Tensor& y_pred, const Tensor& y_true) const {
  check_shapes(y_pred, y_true);
  const size_t n = static_cast<size_t>(y_pred.dim(0));
  double sum = 0.0;
  for (size_t i = 0; i < y_pred.size(); ++i) {
    if (y_true[i] == 0.0f) continue;  // 0 · log(p) contributes nothing
    float p = std::clamp(y_pred[i], kProbabilityEpsilon, 1.0f - kProbabilityEpsilon);
    sum -= static_cast<double>(y_true[i]) * std::log(static_cast<double>(p));
  }
  return static_cast<float>(sum / static_cast<double>(n));
}

void CategoricalCrossentropy::gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const {
  check_shapes(y_pred, y_true);
  grad.resize(y_pred.shape());
  const float inv_n = 1.0f / static_cast<float>(y_pred.dim(0));
  for (size_t i = 0; i < y_pred.size(); ++i) {
    const float p = y_pred[i];
    const bool clipped = p < kProbabilityEpsilon || p > 1.0f - kProbabilityEpsilon;
    grad[i] = clipped ? 0.0f : -y_true[i] * inv_n / p;
  }
}

void CategoricalCrossentropy::gradient_from_logits(const Tensor& y_pred, const Tensor& y_true, Tensor& dz) const {
  check_shapes(y_pred, y_true);
  dz.resize(y_pred.shape());
  const float inv_n = 1.0f / static_cast<float>(y_pred.dim(0));
  for (size_t i = 0; i < y_pred.size(); ++i) dz[i] = (y_pred[i] - y_true[i]) * inv_n;
}

// One-hot rows (or soft labels) sum to 1: anything else is almost always class ids or
// unscaled numbers passed by mistake.
void CategoricalCrossentropy::check_targets(const Tensor& y_true, const std::string& where) const {
  check_probabilities(y_true, where);
  const size_t k = y_true.row_size(), n = k ? y_true.size() / k : 0;
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (size_t j = 0; j < k; ++j) sum += y_true[i * k + j];
    if (std::abs(sum - 1.0) <= 1e-3) continue;
    throw ValueError(where + ": categorical_crossentropy needs one-hot targets (each row sums to 1), but the row of "
                     "sample " + std::to_string(i) + " sums to " + std::to_string(sum) +
                     "; encode class ids with nn::data::to_categorical(ids, " + std::to_string(k) +
                     "), or use binary_crossentropy when several classes can be true at once");
  }
}

}  // namespace nn::losses
