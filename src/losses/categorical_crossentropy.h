// Categorical cross-entropy — for choosing one class out of K (the chapter's classifier):
//
//   L = -1/N Σ_i Σ_k y_true_ik · log(p_ik)      p = y_pred clipped to [1e-7, 1 - 1e-7]
//   dL/dp_ik = -y_true_ik / (N · p_ik)           (0 where the clip is active, as in Keras)
//
// Only the predicted probability of the true class counts: predicting it with 0.9 costs
// -log 0.9 = 0.105, with 0.1 costs 2.303.
//
// After a softmax there is a far better route. With p = softmax(z), the chain rule through
// softmax's Jacobian collapses to
//   dL/dz_ik = (p_ik - y_true_ik) / N
// which needs no division by a tiny p and cannot overflow: "softmax from logits". fit()
// takes this route whenever the model ends in softmax (see gradient_from_logits).
//
// Reference mode: value, gradient and gradient_from_logits are already plain loops on one
// thread, written straight from the formulas above (no thread pool, no hand-made SIMD), so
// they are their own reference and run unchanged in both modes. (Softmax from logits is a
// different formula for the same gradient, not a fusion of layers: reference mode uses it
// too.)
#pragma once
#include "losses/loss.h"

namespace nn::losses {

class CategoricalCrossentropy : public Loss {
 public:
  std::string name() const override { return "categorical_crossentropy"; }
  std::unique_ptr<Loss> clone() const override { return std::make_unique<CategoricalCrossentropy>(*this); }
  float value(const Tensor& y_pred, const Tensor& y_true) const override;                // (N, K), (N, K)
  void gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const override;  // -> (N, K)
  void check_targets(const Tensor& y_true, const std::string& where) const override;      // (N, K)
  bool computes_from_logits(ActivationKind kind) const override { return kind == ActivationKind::softmax; }
  void gradient_from_logits(const Tensor& y_pred, const Tensor& y_true, Tensor& dz) const override;  // -> (N, K)
};

}  // namespace nn::losses
