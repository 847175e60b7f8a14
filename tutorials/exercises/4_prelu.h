// Exercise 4 — PReLU: a leaky relu that learns its own slope
//
// LeakyReLU lets a little signal through for negative inputs with a fixed slope (0.3).
// PReLU (He et al. 2015) makes that slope a weight, one per feature, learned like any other:
//     y = x              if x > 0
//     y = alpha_c · x    otherwise          (c: the feature, i.e. the last axis; alpha starts at 0)
// Backward has two parts:
//     dx      = dy           if x > 0,  alpha_c · dy  otherwise
//     dalpha_c += Σ over every position with feature c and x <= 0 of dy · x
// This is the first layer of yours with a parameter: it lives in a Param (value + grad), is
// created in build(), returned by params(), and backward ADDS into its grad.
//
// Your task: fill in build, forward and backward (src/layers/dense.cpp shows a layer with
// parameters). Then run
//     make exercise N=4
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

  // in: (..., C) -> the same shape. Create alpha_.value and alpha_.grad of shape (C), zeros.
  nn::Shape build(const nn::Shape& in) override {
    (void)in;
    throw nn::Error("not implemented yet: PReLU::build (create alpha of shape (C) and its grad)");
  }

  // x: (N, ..., C) -> y: same shape
  void forward(const nn::Tensor& x, nn::Tensor& y, bool /*training*/) override {
    (void)x;
    (void)y;
    throw nn::Error("not implemented yet: PReLU::forward");
  }

  // dy: (N, ..., C) -> dx: same shape; and alpha_.grad += dL/dalpha
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    (void)dy;
    (void)dx;
    throw nn::Error("not implemented yet: PReLU::backward");
  }

 private:
  nn::Param alpha_{"alpha", {}, {}, true};
};
