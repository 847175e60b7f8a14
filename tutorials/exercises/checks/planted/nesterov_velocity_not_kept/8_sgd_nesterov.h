// Planted bug, for make test: exercise 8_sgd_nesterov with one mistake in it, which its checks must
// catch and name (tests/run_exercises.sh runs them on this file). Made from solutions/8_sgd_nesterov.h.
// The mistake: the velocity is a local variable, zero at every step, so it never builds up:
// every step is (1 + momentum) times plain SGD's. The first step is right.
// expect-hint: the velocity must be kept between steps
// Exercise 8 — reference solution: SGD with Nesterov momentum, Keras's form.
//   v ← momentum·v - lr·g;   θ ← θ + momentum·v - lr·g   (with the new v)
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
    std::vector<float> fresh(n, 0.0f);  // a new velocity every step
    float* v = fresh.data();
    for (size_t i = 0; i < n; ++i) {
      v[i] = momentum * v[i] - learning_rate * grad[i];
      value[i] += momentum * v[i] - learning_rate * grad[i];
    }
  }

 private:
  std::vector<nn::Tensor> velocity_;  // one per parameter tensor
};
