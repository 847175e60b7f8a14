#include "kernels/elementwise.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "kernels/thread_pool.h"

namespace nn {

void parallel_elements(size_t n, const std::function<void(size_t, size_t)>& body) {
  if (n < kParallelThreshold) {
    body(0, n);
    return;
  }
  // Chunks of 16K elements (64 KiB of floats, a comfortable L2-sized piece).
  parallel_for(n, size_t{1} << 14, body);
}

void add_row_vector(float* y, const float* bias, size_t rows, size_t cols) {
  const size_t grain_rows = std::max<size_t>(1, (size_t{1} << 14) / std::max<size_t>(cols, 1));
  auto work = [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; ++r) {
      float* row = y + r * cols;
      for (size_t c = 0; c < cols; ++c) row[c] += bias[c];
    }
  };
  if (rows * cols < kParallelThreshold)
    work(0, rows);
  else
    parallel_for(rows, grain_rows, work);
}

void add_column_sums(const float* x, float* sums, size_t rows, size_t cols) {
  // Split over columns (blocks of 64), never over rows: a column's sum is always added up
  // in the same order, whatever the thread count.
  auto work = [&](size_t c0, size_t c1) {
    for (size_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
      for (size_t c = c0; c < c1; ++c) sums[c] += row[c];
    }
  };
  if (rows * cols < kParallelThreshold)
    work(0, cols);
  else
    parallel_for(cols, 64, work);
}

bool all_finite(const float* x, size_t n) {
  std::atomic<bool> ok{true};
  parallel_elements(n, [&](size_t b, size_t e) {
    // Summing x*0 turns any NaN or inf into NaN, and the loop vectorises (no early exit).
    float probe = 0.0f;
    for (size_t i = b; i < e; ++i) probe += x[i] * 0.0f;
    if (probe != 0.0f) ok = false;
  });
  return ok.load();
}

}  // namespace nn
