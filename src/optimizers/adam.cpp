#include "optimizers/adam.h"

#include <cmath>

#include "kernels/optimizer_updates.h"
#include "reference/mode.h"
#include "reference/optimizers.h"

namespace nn::optimizers {

Adam::Adam(float lr, float b1, float b2, float eps) : Optimizer(lr), beta_1(b1), beta_2(b2), epsilon(eps) {
  if (!(b1 >= 0.0f && b1 < 1.0f) || !(b2 >= 0.0f && b2 < 1.0f))
    throw ValueError("Adam betas must be in [0, 1), got beta_1 = " + std::to_string(b1) +
                     ", beta_2 = " + std::to_string(b2));
  if (!(eps > 0.0f)) throw ValueError("Adam epsilon must be > 0, got " + std::to_string(eps));
}

void Adam::begin_step() {
  const double t = static_cast<double>(iterations_);
  alpha_ = static_cast<float>(learning_rate * std::sqrt(1.0 - std::pow(beta_2, t)) / (1.0 - std::pow(beta_1, t)));
}

void Adam::update(size_t slot, float* value, const float* grad, size_t n) {
  float* m = slot_state(m_, slot, n).data();
  float* v = slot_state(v_, slot, n).data();
  if (reference_mode()) {  // the formula of adam.h, one element after another
    ref::adam_update(value, grad, m, v, n, learning_rate, beta_1, beta_2, epsilon, iterations_);
    return;
  }
  adam_update(value, grad, m, v, n, 1.0f - beta_1, 1.0f - beta_2, alpha_, epsilon);  // kernels/optimizer_updates.h
}

void Adam::update_and_zero(size_t slot, float* value, float* grad, size_t n) {
  if (reference_mode()) return Optimizer::update_and_zero(slot, value, grad, n);  // update, then zero
  float* m = slot_state(m_, slot, n).data();
  float* v = slot_state(v_, slot, n).data();
  adam_update_and_zero(value, grad, m, v, n, 1.0f - beta_1, 1.0f - beta_2, alpha_, epsilon);
}

std::vector<std::pair<std::string, Tensor*>> Adam::state() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < m_.size(); ++i) {
    out.emplace_back("m_" + std::to_string(i), &m_[i]);
    out.emplace_back("v_" + std::to_string(i), &v_[i]);
  }
  return out;
}

void Adam::create_state(size_t slot, size_t n) {
  slot_state(m_, slot, n);
  slot_state(v_, slot, n);
}

}  // namespace nn::optimizers
