// Planted bug, for make test: exercise 3_rmsprop with one mistake in it, which its checks must
// catch and name (tests/run_exercises.sh runs them on this file). Made from solutions/3_rmsprop.h.
// The mistake: epsilon inside the square root, √(v + ε) instead of √v + ε: indistinguishable
// for ordinary gradients, but tiny gradients hardly move θ.
// expect-hint: epsilon belongs outside the square root
// Exercise 3 — the reference solution: RMSprop.
//   v ← rho v + (1 - rho) g²;   θ ← θ - lr g / (√v + epsilon)
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
  // value, grad: (n)
  void update(size_t slot, float* value, const float* grad, size_t n) override {
    float* v = slot_state(v_, slot, n).data();
    for (size_t i = 0; i < n; ++i) {
      v[i] = rho * v[i] + (1.0f - rho) * grad[i] * grad[i];
      value[i] -= learning_rate * grad[i] / std::sqrt(v[i] + epsilon);
    }
  }

 private:
  std::vector<nn::Tensor> v_;
};
