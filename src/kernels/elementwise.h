// Element-wise and row/column helpers shared by layers, losses and optimizers.
//
// They run over raw (rows × cols) row-major blocks. Large blocks are split over the thread
// pool; small ones (most of a batch-32 MLP step) run inline, because waking a thread costs
// more than adding a few thousand numbers.
//
// add_row_vector and all_finite take their plain reference (reference/elementwise.h) in
// reference mode themselves, because some of their callers have no plain path of their own
// to switch to (Conv2D's bias, the model's NaN guard). multiply_elements has one caller,
// Dropout, which picks its reference itself.
#pragma once
#include <cstddef>

#include "kernels/parallel.h"  // parallel_elements and the policy for splitting work

namespace nn {

// y[r][c] += bias[c]  — y: (rows, cols), bias: (cols)
void add_row_vector(float* y, const float* bias, size_t rows, size_t cols);

// True when every value is finite (no NaN, no ±inf).   x: (n)
bool all_finite(const float* x, size_t n);

// out[i] = a[i] · b[i]  — a, b, out: (n); out may be a or b.
void multiply_elements(const float* a, const float* b, float* out, size_t n);

}  // namespace nn
