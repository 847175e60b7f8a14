#include "kernels/elementwise.h"
#include "kernels/simd_clones.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/thread_pool.h"
#include "reference/elementwise.h"
#include "reference/mode.h"

namespace nn {

namespace {
// y[r][c] += bias[c] for rows [r0, r1). __restrict (bias is never a row of y) and the
// AVX-512/AVX2 clones make it one vector add per 16 (8) numbers; without them g++ checks for
// overlap on every row and uses SSE, which shows on a first Conv2D's narrow 32-channel rows.
NN_SIMD_CLONES
void add_bias_rows(float* __restrict y, const float* __restrict bias, size_t r0, size_t r1, size_t cols) {
  for (size_t r = r0; r < r1; ++r)
    for (size_t c = 0; c < cols; ++c) y[r * cols + c] += bias[c];
}
}  // namespace

void add_row_vector(float* y, const float* bias, size_t rows, size_t cols) {
  if (reference_mode()) return ref::add_row_vector(y, bias, rows, cols);
  // A layer's output: split as the layer passes are (kernels/parallel.h).
  for_row_chunks(rows, std::max<size_t>(cols, 1), [&](size_t r0, size_t r1) { add_bias_rows(y, bias, r0, r1, cols); });
}

namespace {

// A float is NaN or ±inf exactly when its 8 exponent bits are all ones. Looking at the bits
// with integer operations lets the compiler vectorise the loop: an OR of integers may be
// regrouped freely, a sum of floats may not (its rounding depends on the order), so a float
// "probe" sum would run one add at a time. fit checks every gradient after every batch, so
// it matters. NN_SIMD_CLONES: the best of AVX-512 / AVX2 / plain x86-64, chosen at load.
NN_SIMD_CLONES
bool finite_range(const float* __restrict x, size_t begin, size_t end) {
  constexpr uint32_t kExponent = 0x7f800000u;
  uint32_t all_ones = 0;
  for (size_t i = begin; i < end; ++i) {
    uint32_t bits;
    std::memcpy(&bits, x + i, sizeof bits);
    all_ones |= static_cast<uint32_t>((bits & kExponent) == kExponent);
  }
  return all_ones == 0;
}

}  // namespace

bool all_finite(const float* x, size_t n) {
  if (reference_mode()) return ref::all_finite(x, n);
  std::atomic<bool> ok{true};
  parallel_elements(n, [&](size_t b, size_t e) {
    if (!finite_range(x, b, e)) ok = false;
  });
  return ok.load();
}

void multiply_elements(const float* a, const float* b, float* out, size_t n) {
  for_chunks(n, [&](size_t begin, size_t end) {  // a layer's activations (Dropout)
    for (size_t i = begin; i < end; ++i) out[i] = a[i] * b[i];
  });
}

}  // namespace nn
