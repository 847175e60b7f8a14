#include "optimizers/sgd.h"

#include "kernels/elementwise.h"

namespace nn::optimizers {

SGD::SGD(float lr, float m) : Optimizer(lr), momentum(m) {
  if (!(m >= 0.0f && m < 1.0f)) throw ValueError("SGD momentum must be in [0, 1), got " + std::to_string(m));
}

void SGD::update(size_t slot, float* value, const float* grad, size_t n) {
  const float lr = learning_rate;
  if (momentum == 0.0f) {
    parallel_elements(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) value[i] -= lr * grad[i];
    });
    return;
  }
  float* v = slot_state(velocity_, slot, n).data();
  const float mu = momentum;
  parallel_elements(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      v[i] = mu * v[i] - lr * grad[i];
      value[i] += v[i];
    }
  });
}

std::vector<std::pair<std::string, Tensor*>> SGD::state() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < velocity_.size(); ++i) out.emplace_back("velocity_" + std::to_string(i), &velocity_[i]);
  return out;
}

void SGD::create_state(size_t slot, size_t n) {
  if (momentum != 0.0f) slot_state(velocity_, slot, n);
}

}  // namespace nn::optimizers
