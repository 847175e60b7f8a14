#include "optimizers/sgd.h"

#include "kernels/optimizer_updates.h"
#include "reference/mode.h"
#include "reference/optimizers.h"

namespace nn::optimizers {

SGD::SGD(float lr, float m) : Optimizer(lr), momentum(m) {
  if (!(m >= 0.0f && m < 1.0f)) throw ValueError("SGD momentum must be in [0, 1), got " + std::to_string(m));
}

void SGD::update(size_t slot, float* value, const float* grad, size_t n) {
  // The formulas of sgd.h: one element after another in reference mode, else the kernels
  // of kernels/optimizer_updates.h.
  if (momentum == 0.0f) {
    if (reference_mode())
      ref::sgd_update(value, grad, n, learning_rate);
    else
      sgd_update(value, grad, n, learning_rate);
    return;
  }
  float* v = slot_state(velocity_, slot, n).data();
  if (reference_mode())
    ref::sgd_momentum_update(value, grad, v, n, learning_rate, momentum);
  else
    sgd_momentum_update(value, grad, v, n, learning_rate, momentum);
}

void SGD::update_and_zero(size_t slot, float* value, float* grad, size_t n) {
  if (reference_mode()) return Optimizer::update_and_zero(slot, value, grad, n);  // update, then zero
  if (momentum == 0.0f)
    sgd_update_and_zero(value, grad, n, learning_rate);
  else
    sgd_momentum_update_and_zero(value, grad, slot_state(velocity_, slot, n).data(), n, learning_rate, momentum);
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
