// Binary cross-entropy — for yes/no outputs (one or more independent sigmoid units). The
// mean over the last axis, then over the batch (so the mean over all `count` numbers).
//
// From probabilities (Keras 2.11's backend.binary_crossentropy, for outputs that are not a
// sigmoid or a softmax): p is clipped, then 1e-7 is added inside each log once more,
//   c = clip(p, 1e-7, 1 - 1e-7)
//   L = -1/count Σ [ y log(c + 1e-7) + (1 - y) log(1 - c + 1e-7) ]
//   dL/dp = ( -y / (c + 1e-7) + (1 - y) / (1 - c + 1e-7) ) / count     (0 where the clip is active)
// so a relu output of exactly 0 with y = 1 costs -log(2e-7) = 15.42, not -log(1e-7).
//
// From the logits (a sigmoid or softmax output, see losses/loss.h): Keras then takes z and
// computes tf.nn.sigmoid_cross_entropy_with_logits,
//   L = 1/count Σ [ max(z, 0) - z y + log(1 + e^-|z|) ]       (softplus, never overflows)
//   dL/dz = (sigmoid(z) - y) / count
// After a sigmoid that is the chain rule with p (1 - p) cancelled: "sigmoid from logits".
// (Keras does this for a softmax output too, on the softmax's logits.)
//
// Reference mode: every function here is already a plain loop on one thread, written
// straight from the formulas above (sums in double; no thread pool, no hand-made SIMD), so
// they are their own reference and run unchanged in both modes.
#pragma once
#include "losses/loss.h"

namespace nn::losses {

class BinaryCrossentropy : public Loss {
 public:
  std::string name() const override { return "binary_crossentropy"; }
  std::unique_ptr<Loss> clone() const override { return std::make_unique<BinaryCrossentropy>(*this); }
  float value(const Tensor& y_pred, const Tensor& y_true) const override;                // (N, ..., K), same
  void gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const override;  // -> (N, ..., K)
  void check_targets(const Tensor& y_true, const std::string& where) const override;      // (N, ..., K)
  bool computes_from_logits(ActivationKind kind) const override {
    return kind == ActivationKind::sigmoid || kind == ActivationKind::softmax;
  }
  float value_from_logits(const Tensor& z, const Tensor& y_true) const override;              // (N, ..., K), same
  void gradient_from_logits(const Tensor& z, const Tensor& y_true, Tensor& dz) const override;  // -> (N, ..., K)
};

}  // namespace nn::losses
