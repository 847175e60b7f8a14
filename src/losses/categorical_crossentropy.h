// Categorical cross-entropy — for choosing one class out of K (the chapter's classifier).
// Each position (a sample, or a pixel of a per-pixel output) has K probabilities p and
// one-hot targets y; its loss is summed over the K classes, then averaged over the P
// positions of the batch (P = N for (N, K) outputs), as Keras does.
//
// From probabilities (Keras 2.11's backend.categorical_crossentropy, for outputs that are
// not a softmax or a sigmoid): each row is first rescaled to sum to 1, then clipped,
//   q_k = clip(p_k / S, 1e-7, 1 - 1e-7)     S = Σ_k p_k
//   L   = -1/P Σ_positions Σ_k y_k · log(q_k)
//   dL/dp_j = ( Σ_k y_k m_k / S  -  y_j m_j / p_j ) / P
// where m_k = 1 while q_k is inside the clip range, else 0 (a clipped q passes no
// gradient, as in Keras). Only the probability of the true class counts: predicting it
// with 0.9 costs -log 0.9 = 0.105, with 0.1 costs 2.303.
//
// From the logits (a softmax or sigmoid output, see losses/loss.h): Keras then takes z,
// the activation's input, and computes tf.nn.softmax_cross_entropy_with_logits,
//   L = 1/P Σ_positions Σ_k y_k · (lse(z) - z_k)     lse(z) = log Σ_j e^(z_j)
//   dL/dz_k = (softmax(z)_k - y_k) / P
// which needs no clipping (40 logits apart cost 40, not 16.1181) and no division by a tiny
// p. Keras does this for a sigmoid output too (its sigmoid keeps its logits like softmax),
// so sigmoid + categorical cross-entropy trains exactly like softmax would.
//
// Reference mode: every function here is already a plain loop on one thread, written
// straight from the formulas above (sums in double; no thread pool, no hand-made SIMD), so
// they are their own reference and run unchanged in both modes.
#pragma once
#include "losses/loss.h"

namespace nn::losses {

class CategoricalCrossentropy : public Loss {
 public:
  std::string name() const override { return "categorical_crossentropy"; }
  std::unique_ptr<Loss> clone() const override { return std::make_unique<CategoricalCrossentropy>(*this); }
  float value(const Tensor& y_pred, const Tensor& y_true) const override;                // (N, ..., K), same
  void gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const override;  // -> (N, ..., K)
  void check_targets(const Tensor& y_true, const std::string& where) const override;      // (N, ..., K)
  bool computes_from_logits(ActivationKind kind) const override {
    return kind == ActivationKind::softmax || kind == ActivationKind::sigmoid;
  }
  float value_from_logits(const Tensor& z, const Tensor& y_true) const override;              // (N, ..., K), same
  void gradient_from_logits(const Tensor& z, const Tensor& y_true, Tensor& dz) const override;  // -> (N, ..., K)
};

}  // namespace nn::losses
