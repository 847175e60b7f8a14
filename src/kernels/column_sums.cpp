#include "kernels/column_sums.h"

#include <algorithm>

#include "kernels/parallel.h"
#include "kernels/simd_clones.h"
#include "kernels/thread_pool.h"

namespace nn {
namespace {

constexpr size_t kBlock = 16;  // columns summed side by side in registers

// add_column_sums on one thread. NN_SIMD_CLONES compiles it for AVX-512, AVX2 and plain
// x86-64 and the best the CPU has is picked when the program loads; __restrict says x and
// acc do not overlap, so it vectorises without run-time checks. `#pragma GCC unroll 1`
// keeps the 16-wide step a loop g++ turns into one vector operation (unrolled into 16
// scalar statements, it stays scalar).
NN_SIMD_CLONES
void add_column_block_sums(const float* __restrict x, size_t rows, size_t cols, size_t stride,
                           float* __restrict acc) {
  for (size_t j0 = 0; j0 < cols; j0 += kBlock) {
    const size_t width = std::min(kBlock, cols - j0);
    float sum[kBlock] = {};
    if (width == kBlock) {
      for (size_t r = 0; r < rows; ++r) {
        const float* row = x + r * stride + j0;
#pragma GCC unroll 1
        for (size_t t = 0; t < kBlock; ++t) sum[t] += row[t];
      }
    } else {
      for (size_t r = 0; r < rows; ++r)
        for (size_t t = 0; t < width; ++t) sum[t] += x[r * stride + j0 + t];
    }
    for (size_t t = 0; t < width; ++t) acc[j0 + t] += sum[t];
  }
}

}  // namespace

void add_column_sums(const float* x, size_t rows, size_t cols, size_t stride, float* sums) {
  // The sums run over gradients of a layer's activations (dz) or the partials a parallel
  // multiply just wrote: split as the layer passes are (kernels/parallel.h).
  if (rows * cols < kLayerParallelThreshold) {
    add_column_block_sums(x, rows, cols, stride, sums);
    return;
  }
  // Chunks of whole 16-column blocks, about 16K numbers each. A chunk boundary only
  // decides which thread sums a column, never the order of its sum.
  const size_t grain = std::max<size_t>(1, kChunk / rows / kBlock) * kBlock;
  parallel_for(cols, grain, [&](size_t j0, size_t j1) {
    add_column_block_sums(x + j0, rows, j1 - j0, stride, sums + j0);
  });
}

}  // namespace nn
