// Exercise 8 — SGD with Nesterov momentum
//
// Tutorial 06 compares plain SGD, SGD with momentum and Adam. Momentum keeps a velocity v,
// a running sum of past steps, so steps that keep pointing the same way build up speed
// (src/optimizers/sgd.h, Keras's form):
//     v ← momentum · v - lr · g          θ ← θ + v
// Nesterov momentum (Sutskever et al. 2013) "looks ahead": the velocity is about to carry θ
// on by momentum · v anyway, so it steps as if from there. Keras writes it as
//     v ← momentum · v - lr · g          (the same velocity, v starts at 0)
//     θ ← θ + momentum · v - lr · g      (the NEW v: the step after this one, plus this gradient)
// (keras.optimizers.SGD(learning_rate, momentum, nesterov=True); in Keras 2.11's update_step:
//  m.assign(-gradient * lr + m * momentum); variable.assign_add(-gradient * lr + m * momentum)).
// The first step is already (1 + momentum) times plain SGD's; later, the look-ahead slows
// the velocity down sooner when the gradient turns.
//
// Your task: fill in update(). slot_state(velocity_, slot, n) gives you a zero-initialised
// velocity of n floats for this parameter, kept between steps. Read learning_rate at every
// step: a schedule (exercise 7) changes it between epochs. src/reference/optimizers.cpp has
// plain SGD with momentum (ref::sgd_momentum_update) written as a loop. Then run
//     make exercise N=8
// The mistakes the checks look for: θ += v (that is plain momentum); the step taken with the
// velocity from before this step's update; a velocity that is not kept between steps (a
// local variable) or shared by all parameters; the learning rate copied once.
#pragma once
#include <string>
#include <vector>

#include "nn.h"

class SGDNesterov : public nn::optimizers::Optimizer {
 public:
  explicit SGDNesterov(float learning_rate = 0.01f, float momentum = 0.9f) : Optimizer(learning_rate), momentum(momentum) {
    if (!(momentum >= 0.0f && momentum < 1.0f))
      throw nn::ValueError("SGDNesterov: momentum must be in [0, 1), got " + std::to_string(momentum));
  }
  std::string name() const override { return "SGDNesterov"; }
  std::unique_ptr<nn::optimizers::Optimizer> clone() const override { return std::make_unique<SGDNesterov>(*this); }
  float momentum;

 protected:
  // value, grad: (n) — one parameter tensor, flattened. slot: which parameter it is.
  void update(size_t slot, float* value, const float* grad, size_t n) override {
    (void)slot;
    (void)value;
    (void)grad;
    (void)n;
    throw nn::Error("not implemented yet: SGDNesterov::update");
  }

 private:
  std::vector<nn::Tensor> velocity_;  // one per parameter tensor
};
