#include "losses/mean_squared_error.h"

namespace nn::losses {

float MeanSquaredError::value(const Tensor& y_pred, const Tensor& y_true) const {
  check_shapes(y_pred, y_true);
  double sum = 0.0;
  for (size_t i = 0; i < y_pred.size(); ++i) {
    double diff = static_cast<double>(y_pred[i]) - y_true[i];
    sum += diff * diff;
  }
  return static_cast<float>(sum / static_cast<double>(y_pred.size()));
}

void MeanSquaredError::gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const {
  check_shapes(y_pred, y_true);
  grad.resize(y_pred.shape());
  const float scale = 2.0f / static_cast<float>(y_pred.size());
  for (size_t i = 0; i < y_pred.size(); ++i) grad[i] = scale * (y_pred[i] - y_true[i]);
}

}  // namespace nn::losses
