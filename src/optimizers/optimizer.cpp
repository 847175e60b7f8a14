#include "optimizers/optimizer.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise.h"

namespace nn::optimizers {

Optimizer::Optimizer(float lr) : learning_rate(lr) {
  if (!(lr > 0.0f) || !std::isfinite(lr))
    throw ValueError("learning_rate must be a positive number, got " + std::to_string(lr));
}

Tensor& Optimizer::slot_state(std::vector<Tensor>& slots, size_t slot, size_t n) {
  if (slots.size() <= slot) slots.resize(slot + 1);
  if (slots[slot].size() != n) slots[slot] = Tensor({static_cast<int>(n)});
  return slots[slot];
}

void Optimizer::build_state(const std::vector<Param*>& params) {
  size_t slot = 0;
  for (Param* p : params)
    if (p->trainable) create_state(slot++, p->value.size());
}

void Optimizer::step(const std::vector<Param*>& params) {
  ++iterations_;
  begin_step();
  size_t slot = 0;
  for (Param* p : params) {
    if (p->trainable)
      update_and_zero(slot++, p->value.data(), p->grad.data(), p->value.size());
    else
      std::fill(p->grad.begin(), p->grad.end(), 0.0f);
  }
}

}  // namespace nn::optimizers
