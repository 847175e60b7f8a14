// Planted bug, for make test: exercise 2_huber with one mistake in it, which its checks must
// catch and name (tests/run_exercises.sh runs them on this file). Made from solutions/2_huber.h.
// The mistake: the gradient uses y_true - y_pred: the right size, the wrong sign.
// expect-hint: the wrong sign
// Exercise 2 — the reference solution: the Huber loss.
//   h(e) = 0.5 e² if |e| <= delta else delta (|e| - 0.5 delta);  L = mean h(e)
//   dL/dy_pred = (e if |e| <= delta else delta·sign(e)) / (N·K)
#pragma once
#include <cmath>

#include "nn.h"

class Huber : public nn::losses::Loss {
 public:
  explicit Huber(float delta = 1.0f) : delta_(delta) {}
  std::string name() const override { return "huber"; }
  std::unique_ptr<nn::losses::Loss> clone() const override { return std::make_unique<Huber>(*this); }

  // y_pred, y_true: (N, K) -> L
  float value(const nn::Tensor& y_pred, const nn::Tensor& y_true) const override {
    check_shapes(y_pred, y_true);
    double sum = 0;
    for (size_t i = 0; i < y_pred.size(); ++i) {
      const double e = std::abs(static_cast<double>(y_pred[i]) - y_true[i]);
      sum += e <= delta_ ? 0.5 * e * e : delta_ * (e - 0.5 * delta_);
    }
    return static_cast<float>(sum / static_cast<double>(y_pred.size()));
  }

  // y_pred, y_true: (N, K) -> grad: (N, K)
  void gradient(const nn::Tensor& y_pred, const nn::Tensor& y_true, nn::Tensor& grad) const override {
    check_shapes(y_pred, y_true);
    grad.resize(y_pred.shape());
    const float inv = 1.0f / static_cast<float>(y_pred.size());
    for (size_t i = 0; i < y_pred.size(); ++i) {
      const float e = y_true[i] - y_pred[i];
      grad[i] = (std::abs(e) <= delta_ ? e : std::copysign(delta_, e)) * inv;
    }
  }

 private:
  float delta_;
};
