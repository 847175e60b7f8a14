// Stochastic gradient descent: step straight downhill, a fixed fraction of the slope.
//
//   momentum = 0:  θ ← θ - lr · g
//   momentum > 0:  v ← momentum · v - lr · g ;  θ ← θ + v      (Keras's form)
//
// Momentum lets steps that keep pointing the same way build up speed, and steps that
// zig-zag cancel out.
//
// The update runs as the kernels of kernels/optimizer_updates.h, or in reference mode as the
// plain loops of reference/optimizers.h, the formula above element by element.
#pragma once
#include "optimizers/optimizer.h"

namespace nn::optimizers {

class SGD : public Optimizer {
 public:
  explicit SGD(float learning_rate = 0.01f, float momentum = 0.0f);
  std::string name() const override { return "SGD"; }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<SGD>(*this); }
  std::vector<std::pair<std::string, Tensor*>> state() override;
  float momentum;

 protected:
  void update(size_t slot, float* value, const float* grad, size_t n) override;  // value, grad: (n)
  // The same, and grad set to zero in the same pass (the fast path; see optimizer.h).
  void update_and_zero(size_t slot, float* value, float* grad, size_t n) override;
  void create_state(size_t slot, size_t n) override;

 private:
  std::vector<Tensor> velocity_;  // one per trainable parameter, created on first step
};

}  // namespace nn::optimizers
