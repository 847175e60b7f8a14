#include "kernels/optimizer_updates.h"

#include <cmath>

#include "kernels/parallel.h"
#include "kernels/simd_clones.h"

namespace nn {

void sgd_update(float* value, const float* grad, size_t n, float lr) {
  parallel_elements(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) value[i] -= lr * grad[i];
  });
}

void sgd_momentum_update(float* value, const float* grad, float* velocity, size_t n, float lr, float momentum) {
  float* v = velocity;
  const float mu = momentum;
  parallel_elements(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      v[i] = mu * v[i] - lr * grad[i];
      value[i] += v[i];
    }
  });
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

void adam_update(float* value, const float* grad, float* m, float* v, size_t n, float b1c, float b2c, float alpha,
                 float eps) {
  // One pass over θ, g, m, v: each element is read and written once, which is what keeps
  // this update at memory speed.
  parallel_elements(n, [&](size_t b, size_t e) { adam_range(value, grad, m, v, b, e, b1c, b2c, alpha, eps); });
}

}  // namespace nn
