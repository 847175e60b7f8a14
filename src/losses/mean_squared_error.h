// Mean squared error — for predicting numbers (regression):
//
//   L = 1/(N·K) Σ_i Σ_k (y_pred_ik - y_true_ik)²       (Keras: mean over the last axis,
//   dL/dy_pred = 2 (y_pred - y_true) / (N·K)             then over the batch)
//
// Squaring makes big mistakes cost much more than small ones.
//
// Reference mode: value and gradient are already plain loops on one thread, written
// straight from the formulas above (no thread pool, no hand-made SIMD), so they are their
// own reference and run unchanged in both modes.
#pragma once
#include "losses/loss.h"

namespace nn::losses {

class MeanSquaredError : public Loss {
 public:
  std::string name() const override { return "mean_squared_error"; }
  std::unique_ptr<Loss> clone() const override { return std::make_unique<MeanSquaredError>(*this); }
  float value(const Tensor& y_pred, const Tensor& y_true) const override;                // (N, ..., K), same
  void gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const override;  // -> (N, ..., K)
};

}  // namespace nn::losses
