#include "kernels/optimizer_updates.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"
#include "kernels/simd_clones.h"

namespace nn {

namespace {

// SGD's two rules on elements [begin, end).
void sgd_range(float* value, const float* grad, size_t begin, size_t end, float lr) {
  for (size_t i = begin; i < end; ++i) value[i] -= lr * grad[i];
}

void sgd_momentum_range(float* value, const float* grad, float* v, size_t begin, size_t end, float lr, float mu) {
  for (size_t i = begin; i < end; ++i) {
    v[i] = mu * v[i] - lr * grad[i];
    value[i] += v[i];
  }
}

// The gradients of [begin, end) set to zero right after the update read them, on the same
// core while they are still in its cache: the next step's backward adds into zeros.
void zero_range(float* grad, size_t begin, size_t end) { std::fill(grad + begin, grad + end, 0.0f); }

}  // namespace

void sgd_update(float* value, const float* grad, size_t n, float lr) {
  parallel_elements(n, [&](size_t b, size_t e) { sgd_range(value, grad, b, e, lr); });
}

void sgd_update_and_zero(float* value, float* grad, size_t n, float lr) {
  parallel_elements(n, [&](size_t b, size_t e) {
    sgd_range(value, grad, b, e, lr);
    zero_range(grad, b, e);
  });
}

void sgd_momentum_update(float* value, const float* grad, float* velocity, size_t n, float lr, float momentum) {
  parallel_elements(n, [&](size_t b, size_t e) { sgd_momentum_range(value, grad, velocity, b, e, lr, momentum); });
}

void sgd_momentum_update_and_zero(float* value, float* grad, float* velocity, size_t n, float lr, float momentum) {
  parallel_elements(n, [&](size_t b, size_t e) {
    sgd_momentum_range(value, grad, velocity, b, e, lr, momentum);
    zero_range(grad, b, e);
  });
}

namespace {

// The update of elements [begin, end). __restrict promises the four arrays do not overlap,
// which lets the compiler turn the loop into SIMD instructions (sqrt included, thanks to
// -fno-math-errno). NN_SIMD_CLONES compiles it for AVX-512, AVX2 and plain x86-64 and
// picks the best at load time, so the default build still runs on any CPU.
// One element's update, shared by the two loops below.
inline void adam_element(float& value, float g, float& m, float& v, float b1c, float b2c, float alpha, float eps) {
  m += (g - m) * b1c;
  v += (g * g - v) * b2c;
  value -= alpha * m / (std::sqrt(v) + eps);
}

NN_SIMD_CLONES
void adam_range(float* __restrict value, const float* __restrict grad, float* __restrict m, float* __restrict v,
                size_t begin, size_t end, float b1c, float b2c, float alpha, float eps) {
  for (size_t i = begin; i < end; ++i) adam_element(value[i], grad[i], m[i], v[i], b1c, b2c, alpha, eps);
}

// The same, zeroing each gradient once it is read: the next step's backward adds into
// zeros, and the gradients are not streamed through a second time just to clear them.
NN_SIMD_CLONES
void adam_range_zeroing(float* __restrict value, float* __restrict grad, float* __restrict m, float* __restrict v,
                        size_t begin, size_t end, float b1c, float b2c, float alpha, float eps) {
  for (size_t i = begin; i < end; ++i) {
    adam_element(value[i], grad[i], m[i], v[i], b1c, b2c, alpha, eps);
    grad[i] = 0.0f;
  }
}

}  // namespace

void adam_update(float* value, const float* grad, float* m, float* v, size_t n, float b1c, float b2c, float alpha,
                 float eps) {
  // One pass over θ, g, m, v: each element is read and written once, which is what keeps
  // this update at memory speed.
  parallel_elements(n, [&](size_t b, size_t e) { adam_range(value, grad, m, v, b, e, b1c, b2c, alpha, eps); });
}

void adam_update_and_zero(float* value, float* grad, float* m, float* v, size_t n, float b1c, float b2c, float alpha,
                          float eps) {
  parallel_elements(n, [&](size_t b, size_t e) { adam_range_zeroing(value, grad, m, v, b, e, b1c, b2c, alpha, eps); });
}

}  // namespace nn
