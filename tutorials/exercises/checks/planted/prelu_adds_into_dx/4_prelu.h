// Planted bug, for make test: exercise 4_prelu with one mistake in it, which its checks must
// catch and name (tests/run_exercises.sh runs them on this file). Made from solutions/4_prelu.h.
// The mistake: backward adds into dx instead of overwriting it.
// expect-hint: dx must be overwritten, not added to
// Exercise 4 — the reference solution: PReLU, a leaky relu with a learned slope per feature.
//   y = x if x > 0 else alpha_c x;  dx = dy or alpha_c dy;  dalpha_c += Σ_{x<=0} dy·x
#pragma once
#include "nn.h"

class PReLU : public nn::LayerBase<PReLU> {
 public:
  PReLU() : LayerBase("p_re_lu") {}
  std::string type() const override { return "PReLU"; }
  std::vector<nn::Param*> params() override { return {&alpha_}; }
  // For model.save (src/layers/config.h): PReLU() takes no arguments, so its config is empty
  // and nn::load_model makes it with PReLU(); alpha travels with the weights, as "<name>/alpha".
  nn::Config get_config() const override { return nn::Config(); }

  // in: (..., C) -> same
  nn::Shape build(const nn::Shape& in) override {
    const int channels = in.back();
    alpha_.value = nn::Tensor({channels});  // Keras starts alpha at zero: a plain relu
    alpha_.grad = nn::Tensor({channels});
    return in;
  }

  // x: (N, ..., C) -> y: same shape
  void forward(const nn::Tensor& x, nn::Tensor& y, bool) override {
    check_input(x);
    y.resize(x.shape());
    const size_t c = alpha_.value.size();
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] > 0 ? x[i] : alpha_.value[i % c] * x[i];
    x_ = &x;
  }

  // dy: (N, ..., C) -> dx: same shape; alpha grad accumulated
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    const nn::Tensor& x = *x_;
    const size_t c = alpha_.value.size();
    for (size_t i = 0; i < dy.size(); ++i)
      if (x[i] <= 0) alpha_.grad[i % c] += dy[i] * x[i];
    if (!input_gradient_needed()) return;
    dx.resize(dy.shape());
    for (size_t i = 0; i < dy.size(); ++i) dx[i] += x[i] > 0 ? dy[i] : alpha_.value[i % c] * dy[i];
  }

 private:
  nn::Param alpha_{"alpha", {}, {}, true};
  const nn::Tensor* x_ = nullptr;
};
