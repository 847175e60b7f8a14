// Planted bug, for make test: exercise 1_elu with one mistake in it, which its checks must
// catch and name (tests/run_exercises.sh runs them on this file). Made from solutions/1_elu.h.
// The mistake: backward adds into dx (dx[i] += ...) instead of overwriting it. The gradient
// check alone cannot see it: it runs backward once, on a fresh (zero) dx.
// expect-hint: dx must be overwritten, not added to
// Exercise 1 — the reference solution: an ELU activation layer.
//   y = x if x > 0 else alpha (e^x - 1);   dy/dx = 1 if x > 0 else y + alpha
#pragma once
#include <cmath>

#include "nn.h"

class ELU : public nn::LayerBase<ELU> {
 public:
  explicit ELU(float alpha = 1.0f) : LayerBase("elu"), alpha_(alpha) {}
  std::string type() const override { return "ELU"; }
  nn::Shape build(const nn::Shape& in) override { return in; }
  // For model.save and nn::load_model (src/layers/config.h): the constructor's argument by
  // name, and the way back. Register the class once before loading: nn::register_layer<ELU>("ELU").
  nn::Config get_config() const override { return nn::Config().set("alpha", alpha_); }
  static ELU from_config(const nn::Config& config) { return ELU(config.get_float("alpha")); }

  // x: (N, ...) -> y: same shape
  void forward(const nn::Tensor& x, nn::Tensor& y, bool) override {
    check_input(x);
    y.resize(x.shape());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] > 0 ? x[i] : alpha_ * (std::exp(x[i]) - 1.0f);
    x_ = &x;
    y_ = &y;
  }

  // dy: (N, ...) -> dx: same shape. For x <= 0 the derivative alpha·e^x equals y + alpha,
  // so the exp computed in forward is reused.
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    if (!input_gradient_needed()) return;
    dx.resize(dy.shape());
    for (size_t i = 0; i < dy.size(); ++i) dx[i] += (*x_)[i] > 0 ? dy[i] : dy[i] * ((*y_)[i] + alpha_);
  }

 private:
  float alpha_;
  const nn::Tensor* x_ = nullptr;
  const nn::Tensor* y_ = nullptr;
};
