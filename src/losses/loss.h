// The loss: one number that says how wrong the predictions are, and its gradient
// dL/dy_pred, which is where backpropagation starts.
//
// All losses take y_pred and y_true of the same shape (N, ..., K): N samples, K outputs on
// the last axis, and possibly positions in between (a per-pixel output (N, H, W, K)).
// Reduction as Keras: each position's K numbers make one loss (summed for categorical
// cross-entropy, averaged for the others), then the mean over every position of the batch.
#pragma once
#include <memory>
#include <string>

#include "layers/activations.h"
#include "tensor/tensor.h"

namespace nn::losses {

// Keras clips probabilities to [eps, 1 - eps] before taking logs, so log(0) never happens.
constexpr float kProbabilityEpsilon = 1e-7f;

class Loss {
 public:
  virtual ~Loss() = default;
  virtual std::string name() const = 0;  // Keras's name, e.g. "categorical_crossentropy"
  virtual std::unique_ptr<Loss> clone() const = 0;

  // L, averaged over the batch as Keras does.   y_pred, y_true: (N, ..., K)
  virtual float value(const Tensor& y_pred, const Tensor& y_true) const = 0;
  // grad = dL/dy_pred.   y_pred, y_true, grad: (N, ..., K)
  virtual void gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const = 0;

  // "Softmax/sigmoid from logits". Keras's softmax and sigmoid keep their input z, the
  // logits (`_keras_logits`), and both cross-entropies then work from z instead of the
  // probabilities: the value with log-sum-exp (softmax) or softplus (sigmoid) forms, which
  // no clipping caps at -log(1e-7) = 16.1181, and the gradient dL/dz = (p - y) / count,
  // which never divides by a tiny p. The model asks with the activation of its output and,
  // when the answer is yes, hands over z (not to be confused with layer fusion,
  // model/layer_fusion.h).
  virtual bool computes_from_logits(ActivationKind) const { return false; }
  // L from the logits.   z, y_true: (N, ..., K)
  virtual float value_from_logits(const Tensor& z, const Tensor& y_true) const;
  // dz = dL/dz.   z, y_true, dz: (N, ..., K)
  virtual void gradient_from_logits(const Tensor& z, const Tensor& y_true, Tensor& dz) const;

  // Do these targets make sense for this loss? The cross-entropies need probabilities;
  // categorical cross-entropy also needs each position's K targets to sum to 1 (one-hot,
  // or soft labels). Throws nn::ValueError naming `where` ("fit"), the first bad sample and
  // the fix. Called once per fit/evaluate on the whole of y, so garbage never trains silently.
  virtual void check_targets(const Tensor& /*y_true*/, const std::string& /*where*/) const {}  // y_true: (N, ..., K)

 protected:
  // Both tensors of the same shape, else a ShapeError that names the loss.
  void check_shapes(const Tensor& y_pred, const Tensor& y_true) const;
  // Every target in [0, 1], else a ValueError.   y_true: (N, ..., K)
  void check_probabilities(const Tensor& y_true, const std::string& where) const;
};

// The number of positions (rows of the last axis) and K, the last axis: (N, H, W, K) has
// N·H·W positions of K numbers each.
size_t positions(const Tensor& t);  // t: (N, ..., K)
size_t last_axis(const Tensor& t);  // t: (N, ..., K)

}  // namespace nn::losses
