// Per-channel sums over the rows of a (rows, C) block — the batch statistics of
// BatchNormalization, a convolution's bias gradient — reproducible for any thread count.
//
// The rows are cut into chunks of about 16K numbers (512 rows when C = 32); the size
// depends only on C, never on the number of threads. Each chunk is added up, row after row,
// into its own partial sums in float; then the partial sums are added in chunk order, in
// double. The same chunks in the same order give bit-identical sums on 1 thread or 16, and
// no float sum runs over more than a chunk's rows (a float accumulator drifts once it has
// absorbed many thousands of terms).
#pragma once
#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "kernels/thread_pool.h"

namespace nn {

// The passes of BatchNormalization and LeakyReLU go parallel from 64K numbers on (a (16,
// 16, 32) conv output of a batch of 32 is 262K), far below the library-wide
// kParallelThreshold of 1M, which was chosen for Adam's update of weights that stay in one
// core's cache. A layer's input here was just written by a matrix multiply split over all
// the cores, so much of it sits in the other cores' caches anyway, and splitting the pass
// pays (tests/bench/RESULTS.md).
constexpr size_t kLayerParallelThreshold = size_t{1} << 16;

// Calls body(begin, end) over [0, n) in chunks of 16K numbers: on the thread pool from
// kLayerParallelThreshold numbers on, else in one piece on this thread.
inline void for_chunks(size_t n, const std::function<void(size_t, size_t)>& body) {
  if (n < kLayerParallelThreshold)
    body(0, n);
  else
    parallel_for(n, size_t{1} << 14, body);
}

// Rows per chunk for C channels: about 16K numbers.
inline size_t rows_per_chunk(size_t channels) { return std::max<size_t>(1, (size_t{1} << 14) / channels); }

// sums[j] = Σ_r (row r's contribution j), for j < width: add_rows(r0, r1, acc) must add the
// contributions of rows [r0, r1), in row order, into acc[0 .. width). `partial` is scratch
// (kept between calls, so a training step allocates nothing). Runs on the thread pool when
// the block holds at least kLayerParallelThreshold numbers.
template <class AddRows>
void sum_rows(size_t rows, size_t channels, size_t width, std::vector<float>& partial, std::vector<double>& sums,
              const AddRows& add_rows) {
  const size_t chunk = rows_per_chunk(channels);
  const size_t chunks = (rows + chunk - 1) / chunk;
  partial.resize(chunks * width);  // keeps its capacity: no allocation in steady state
  auto body = [&](size_t k0, size_t k1) {
    for (size_t k = k0; k < k1; ++k) {
      float* acc = partial.data() + k * width;
      std::fill(acc, acc + width, 0.0f);
      add_rows(k * chunk, std::min(rows, (k + 1) * chunk), acc);
    }
  };
  if (rows * channels < kLayerParallelThreshold)
    body(0, chunks);
  else
    parallel_for(chunks, 1, body);
  sums.assign(width, 0.0);
  for (size_t k = 0; k < chunks; ++k)
    for (size_t j = 0; j < width; ++j) sums[j] += partial[k * width + j];
}

}  // namespace nn
