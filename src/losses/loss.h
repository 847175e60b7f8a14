// The loss: one number that says how wrong the predictions are, and its gradient
// dL/dy_pred, which is where backpropagation starts.
//
// All losses take y_pred and y_true of the same shape (N, K): N samples, K outputs.
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

  // L, averaged over the batch as Keras does.   y_pred, y_true: (N, K)
  virtual float value(const Tensor& y_pred, const Tensor& y_true) const = 0;
  // grad = dL/dy_pred.   y_pred, y_true, grad: (N, K)
  virtual void gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const = 0;

  // "Softmax/sigmoid from logits": some pairs of output activation and loss have a much
  // simpler and numerically safer gradient with respect to z, the input of the activation
  // (softmax + categorical cross-entropy: dL/dz = (p - y) / N). The model asks, and uses
  // it when it can. (Not to be confused with layer fusion, model/layer_fusion.h.)
  virtual bool computes_from_logits(ActivationKind) const { return false; }
  // dz = dL/dz.   y_pred (= activation(z)), y_true, dz: (N, K)
  virtual void gradient_from_logits(const Tensor& y_pred, const Tensor& y_true, Tensor& dz) const;

  // Do these targets make sense for this loss? The cross-entropies need probabilities;
  // categorical cross-entropy also needs each row to sum to 1 (one-hot, or soft labels).
  // Throws nn::ValueError naming `where` ("fit"), the first bad sample and the fix.
  // Called once per fit/evaluate on the whole of y, so garbage never trains silently.
  virtual void check_targets(const Tensor& /*y_true*/, const std::string& /*where*/) const {}  // y_true: (N, K)

 protected:
  // Both tensors (N, K) of the same shape, else a ShapeError that names the loss.
  void check_shapes(const Tensor& y_pred, const Tensor& y_true) const;
  // Every target in [0, 1], else a ValueError.   y_true: (N, K)
  void check_probabilities(const Tensor& y_true, const std::string& where) const;
};

}  // namespace nn::losses
