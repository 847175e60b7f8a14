// Exercise 3 — the RMSprop optimizer
//
// RMSprop (Hinton, 2012) divides each weight's step by a running average of its recent
// gradient sizes, so weights with big, noisy gradients take smaller steps. Keras's form:
//     v ← rho · v + (1 - rho) · g²          (v starts at 0; rho = 0.9)
//     θ ← θ - lr · g / (√v + epsilon)       (epsilon = 1e-7)
// Adam is RMSprop plus momentum and bias correction: start there, with Adam::update in
// src/optimizers/adam.cpp and its loop written plainly in ref::adam_update
// (src/reference/optimizers.cpp).
//
// Your task: fill in update(). slot_state(v_, slot, n) gives you a zero-initialised state
// tensor of n floats for this parameter, kept between steps. Then run
//     make exercise N=3
#pragma once
#include <cmath>

#include "nn.h"

class RMSprop : public nn::optimizers::Optimizer {
 public:
  explicit RMSprop(float learning_rate = 0.001f, float rho = 0.9f, float epsilon = 1e-7f)
      : Optimizer(learning_rate), rho(rho), epsilon(epsilon) {}
  std::string name() const override { return "RMSprop"; }
  std::unique_ptr<nn::optimizers::Optimizer> clone() const override { return std::make_unique<RMSprop>(*this); }
  float rho, epsilon;

 protected:
  // value, grad: (n) — one parameter tensor, flattened. slot: which parameter it is.
  void update(size_t slot, float* value, const float* grad, size_t n) override {
    (void)slot;
    (void)value;
    (void)grad;
    (void)n;
    throw nn::Error("not implemented yet: RMSprop::update");
  }

 private:
  std::vector<nn::Tensor> v_;  // one running average per parameter tensor
};
