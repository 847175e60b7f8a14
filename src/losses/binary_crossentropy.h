// Binary cross-entropy — for yes/no outputs (one or more independent sigmoid units):
//
//   L = -1/(N·K) Σ_i Σ_k [ y log p + (1 - y) log(1 - p) ]   p clipped to [1e-7, 1 - 1e-7]
//   dL/dp = (p - y) / (p (1 - p)) / (N·K)                    (0 where the clip is active)
//
// After a sigmoid, the chain rule cancels p (1 - p) and leaves dL/dz = (p - y) / (N·K),
// which is what fit() uses when the model ends in sigmoid: "sigmoid from logits" (see
// gradient_from_logits).
//
// Reference mode: value, gradient and gradient_from_logits are already plain loops on one
// thread, written straight from the formulas above (no thread pool, no hand-made SIMD), so
// they are their own reference and run unchanged in both modes. (Sigmoid from logits is a
// different formula for the same gradient, not a fusion of layers: reference mode uses it
// too.)
#pragma once
#include "losses/loss.h"

namespace nn::losses {

class BinaryCrossentropy : public Loss {
 public:
  std::string name() const override { return "binary_crossentropy"; }
  std::unique_ptr<Loss> clone() const override { return std::make_unique<BinaryCrossentropy>(*this); }
  float value(const Tensor& y_pred, const Tensor& y_true) const override;                // (N, K), (N, K)
  void gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const override;  // -> (N, K)
  void check_targets(const Tensor& y_true, const std::string& where) const override;      // (N, K)
  bool computes_from_logits(ActivationKind kind) const override { return kind == ActivationKind::sigmoid; }
  void gradient_from_logits(const Tensor& y_pred, const Tensor& y_true, Tensor& dz) const override;  // -> (N, K)
};

}  // namespace nn::losses
