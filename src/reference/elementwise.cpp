#include "reference/elementwise.h"

#include <cmath>

namespace nn::ref {

void add_row_vector(float* y, const float* bias, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) y[r * cols + c] += bias[c];
}

bool all_finite(const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return false;
  return true;
}

}  // namespace nn::ref
