// Adam — gradient descent with a memory (Kingma & Ba, 2015), in Keras's form:
//
//   t ← t + 1
//   m ← m + (g  - m)(1 - β₁)       running mean of the gradient      ("which way")
//   v ← v + (g² - v)(1 - β₂)       running mean of its square         ("how bumpy")
//   α = lr · √(1 - β₂ᵗ) / (1 - β₁ᵗ)   undoes the bias of m and v starting at zero
//   θ ← θ - α · m / (√v + ε)
//
// Dividing by √v gives every weight its own step size: weights whose gradient is large or
// noisy move carefully, weights with small steady gradients move relatively faster.
//
// The update runs as the kernels of kernels/optimizer_updates.h, or in reference mode as the
// plain loops of reference/optimizers.h, the formula above element by element.
#pragma once
#include "optimizers/optimizer.h"

namespace nn::optimizers {

class Adam : public Optimizer {
 public:
  explicit Adam(float learning_rate = 0.001f, float beta_1 = 0.9f, float beta_2 = 0.999f, float epsilon = 1e-7f);
  std::string name() const override { return "Adam"; }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adam>(*this); }
  std::vector<std::pair<std::string, Tensor*>> state() override;
  float beta_1, beta_2, epsilon;

 protected:
  void begin_step() override;
  void update(size_t slot, float* value, const float* grad, size_t n) override;  // value, grad: (n)
  void update_and_zero(size_t slot, float* value, float* grad, size_t n) override;  // value, grad: (n)
  void create_state(size_t slot, size_t n) override;

 private:
  std::vector<Tensor> m_, v_;  // one pair per trainable parameter, created on first step
  float alpha_ = 0.0f;         // this step's bias-corrected learning rate
};

}  // namespace nn::optimizers
