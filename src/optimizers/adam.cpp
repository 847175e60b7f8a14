#include "optimizers/adam.h"

#include <cmath>

#include "kernels/elementwise.h"
#include "kernels/simd_clones.h"

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

namespace {

// The update of elements [begin, end). __restrict promises the four arrays do not overlap,
// which lets the compiler turn the loop into SIMD instructions (sqrt included, thanks to
// -fno-math-errno). NN_SIMD_CLONES compiles it for AVX-512, AVX2 and plain x86-64 and
// picks the best at load time, so the default build still runs on any CPU.
NN_SIMD_CLONES
void adam_range(float* __restrict value, const float* __restrict grad, float* __restrict m, float* __restrict v,
                size_t begin, size_t end, float b1c, float b2c, float alpha, float eps) {
  for (size_t i = begin; i < end; ++i) {
    const float g = grad[i];
    m[i] += (g - m[i]) * b1c;
    v[i] += (g * g - v[i]) * b2c;
    value[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
  }
}

}  // namespace

void Adam::update(size_t slot, float* value, const float* grad, size_t n) {
  float* m = slot_state(m_, slot, n).data();
  float* v = slot_state(v_, slot, n).data();
  const float b1c = 1.0f - beta_1, b2c = 1.0f - beta_2, alpha = alpha_, eps = epsilon;
  // One pass over θ, g, m, v: each element is read and written once, which is what keeps
  // this update at memory speed.
  parallel_elements(n, [&](size_t b, size_t e) { adam_range(value, grad, m, v, b, e, b1c, b2c, alpha, eps); });
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
