// Exercise 1 — an ELU activation layer
//
// ELU ("exponential linear unit", Clevert et al. 2015) is relu with a smooth negative side:
//     y = x                  if x > 0
//     y = alpha (e^x - 1)    otherwise          (alpha = 1 by default, as in Keras)
// Its derivative is 1 for x > 0 and alpha·e^x = y + alpha otherwise.
//
// Your task: fill in forward and backward. Look at src/layers/activation_layer.cpp for the
// shape of a parameter-free layer, and at src/layers/layer.h for the contract. Then run
//     make exercise N=1
// The checks compute a small case by hand, compare your backward with finite differences
// (the same checker the library's tests use), and train a little model with your layer.
#pragma once
#include <cmath>

#include "nn.h"

class ELU : public nn::LayerBase<ELU> {
 public:
  explicit ELU(float alpha = 1.0f) : LayerBase("elu"), alpha_(alpha) {}
  std::string type() const override { return "ELU"; }
  nn::Shape build(const nn::Shape& in) override { return in; }  // same shape out as in
  // For model.save and nn::load_model (src/layers/config.h): the constructor's argument by
  // name, and the way back. Register the class once before loading: nn::register_layer<ELU>("ELU").
  nn::Config get_config() const override { return nn::Config().set("alpha", alpha_); }
  static ELU from_config(const nn::Config& config) { return ELU(config.get_float("alpha")); }

  // x: (N, ...) -> y: same shape. Keep what backward needs (a pointer to x, or to y).
  void forward(const nn::Tensor& x, nn::Tensor& y, bool /*training*/) override {
    (void)x;
    (void)y;
    throw nn::Error("not implemented yet: ELU::forward (resize y to x's shape, then apply the formula)");
  }

  // dy: (N, ...) -> dx: same shape. dx = dy · (1 if x > 0 else alpha·e^x).
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    (void)dy;
    (void)dx;
    throw nn::Error("not implemented yet: ELU::backward");
  }

 private:
  float alpha_;
};
