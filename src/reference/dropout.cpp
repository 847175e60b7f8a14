#include "reference/dropout.h"

namespace nn::ref {

void dropout_forward(const float* x, const float* mask, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] * mask[i];
}

void dropout_backward(const float* dy, const float* mask, float* dx, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * mask[i];
}

}  // namespace nn::ref
