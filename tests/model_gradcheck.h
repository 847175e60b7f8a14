// The finite-difference check of a whole model: every trainable parameter's gradient from
// one forward and backward pass against central differences of the loss evaluate reports
// (the total the model trains on, every output's weighted loss and the losses layers add).
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "nn.h"

namespace nn_test {

// Every trainable parameter's gradient (forward + backward on the lists) against central
// differences of evaluate's loss, the total the model trains on. `before` runs before each
// forward pass (to put a Sampling layer's generator back, so ε stays the same).
inline void check_gradients(nn::Model& m, const nn::TensorList& x, const nn::TensorList& y,
                            const std::function<void()>& before = [] {}) {
  for (nn::Param* p : m.params()) p->grad.fill(0.0f);
  before();
  m.forward(x, true);
  m.backward(y);
  const int n = x[0].dim(0);
  auto total = [&] {
    before();
    return static_cast<double>(m.evaluate(x, y, n, 0)[0]);
  };
  size_t checked = 0;
  for (nn::Param* p : m.params()) {
    if (!p->trainable) continue;
    const nn::Tensor analytic = p->grad;
    for (size_t i = 0; i < p->value.size(); ++i) {
      const float saved = p->value[i];
      const float h = 1e-2f;
      p->value[i] = saved + h;
      const double up = total();
      p->value[i] = saved - h;
      const double down = total();
      p->value[i] = saved;
      const double numeric = (up - down) / (2.0 * h);
      CHECK_MESSAGE(std::abs(analytic[i] - numeric) <= 2e-3 + 2e-2 * std::abs(numeric), p->name, "[", i,
                    "]: analytic ", analytic[i], " numeric ", numeric);
      ++checked;
    }
  }
  CHECK(checked > 0);
  for (nn::Param* p : m.params()) p->grad.fill(0.0f);
}

}  // namespace nn_test
