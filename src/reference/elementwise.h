// The plain path of the element-wise kernels (kernels/elementwise.h), one number at a time.
// kernels/elementwise.cpp calls these itself in reference mode.
#pragma once
#include <cstddef>

namespace nn::ref {

// y[r][c] += bias[c]                              y: (rows, cols)  bias: (cols)
void add_row_vector(float* y, const float* bias, size_t rows, size_t cols);

// true when no x[i] is NaN, +inf or -inf           x: (n)
bool all_finite(const float* x, size_t n);

}  // namespace nn::ref
