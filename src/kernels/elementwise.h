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
#include <functional>

namespace nn {

// Below this many elements (4 MiB of floats), element-wise work stays on the calling
// thread. Measured on the 2-core machine: one core already streams ~180 GB/s through
// L2/L3, and splitting a few-MB pass makes the other core pull lines out of this core's
// cache, which costs more than it saves (Adam on the MLP's 614,400-weight kernel: 115 µs
// on one thread, 160-240 µs split over two).
constexpr size_t kParallelThreshold = 1 << 20;

// Calls body(begin, end) over [0, n) — split across threads only when n is large.
// Chunk boundaries depend only on n, so results never depend on the thread count.
void parallel_elements(size_t n, const std::function<void(size_t begin, size_t end)>& body);

// y[r][c] += bias[c]  — y: (rows, cols), bias: (cols)
void add_row_vector(float* y, const float* bias, size_t rows, size_t cols);

// True when every value is finite (no NaN, no ±inf).   x: (n)
bool all_finite(const float* x, size_t n);

// out[i] = a[i] · b[i]  — a, b, out: (n); out may be a or b.
void multiply_elements(const float* a, const float* b, float* out, size_t n);

}  // namespace nn
