// Splitting work over the thread pool: the library's one family of helpers, and its one
// policy for when work is split.
//
//   1. Reproducible. Work is cut into chunks whose boundaries depend only on the problem
//      (its size, its shape), never on how many threads run them; a sum over chunks adds
//      the chunks' results in chunk order. So every result is bit-identical on 1 thread or
//      16 (tests/test_determinism.cpp, tests/test_conformance.cpp). One exception, and why
//      it is safe: parallel_elements cuts by thread, for passes where every element is
//      computed on its own, so no result depends on where a cut falls.
//   2. Worth it. Waking another thread costs microseconds, and splitting a pass makes the
//      other core pull cache lines out of this one's, so a pass is split only from
//      kLayerParallelThreshold numbers, and in the way that keeps each core on data it
//      already holds:
//        - a layer's activations and their gradients, just written by a multiply that was
//          split over every core (so they sit in several caches already): chunks of
//          kChunk numbers, whoever is free takes the next (for_chunks, for_row_chunks);
//        - the weights, their gradients and the optimizer's state (the optimizer step,
//          the NaN guard's scan): one contiguous part per thread (parallel_elements).
//          The weight-gradient multiply splits a Dense kernel's dW by rows into the same
//          parts, task i the i-th, and the pool hands tasks out in the same order in both
//          calls, so each core mostly updates the rows it wrote, and the optimizer's
//          state stays with the core that updates it from step to step. Chunks of kChunk
//          taken as they come would send many lines to the core that does not hold them
//          (measured: tests/bench/RESULTS.md, the entry of 2026-12-01 evening).
//      A matrix multiply decides for itself, by its count of multiply-adds (gemm.cpp).
//   3. No nesting. Called from inside a parallel task, every helper runs serially on the
//      calling thread (thread_pool.h).
//
// The family, from the pool up:
//   parallel_tasks(count, task)        thread_pool.h: task(i, worker) for each i
//   parallel_for(n, grain, body)       thread_pool.h: body(begin, end) per chunk of `grain`
//   parallel_elements(n, body)         one part per thread, rule 2's second case
//   for_chunks(n, body)                chunks of kChunk numbers, rule 2's first case
//   for_row_chunks(rows, C, body)      rows of a (rows, C) block, first case
//   sum_rows(...)                      per-column sums of a (rows, C) block by chunks of
//                                      rows, added in chunk order (BatchNormalization)
// How these thresholds were chosen: tests/bench/RESULTS.md, "Design measurements".
//
// About sum_rows: the rows are cut into chunks of about 16K numbers (512 rows when C = 32);
// each chunk is added up, row after row, into its own partial sums in float; then the
// partial sums are added in chunk order, in double. No float sum runs over more than a
// chunk's rows (a float accumulator drifts once it has absorbed many thousands of terms).
#pragma once
#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "kernels/thread_pool.h"

namespace nn {

// Rule 2's threshold (in numbers, i.e. floats): smaller passes run on the calling thread.
constexpr size_t kLayerParallelThreshold = size_t{1} << 16;

// Every chunk is about this many numbers (64 KiB of floats: a comfortable L2-sized piece).
constexpr size_t kChunk = size_t{1} << 14;

// Calls body(begin, end) once per thread over [0, n): thread t's part is [t·n/T, (t+1)·n/T)
// with both ends rounded down to 16 numbers (one 64-byte cache line), so no two cores
// write one line; below kLayerParallelThreshold numbers, or on one thread, body(0, n).
// For the weights, gradients and optimizer state (rule 2's second case). The parts depend
// on the thread count, so body must not compute anything that depends on where a part
// ends: an element-wise update, or a yes/no check, never a sum.
inline void parallel_elements(size_t n, const std::function<void(size_t, size_t)>& body) {
  const size_t parts = static_cast<size_t>(available_threads());
  if (n < kLayerParallelThreshold || parts == 1) {
    body(0, n);
    return;
  }
  constexpr size_t kLine = 16;
  parallel_tasks(parts, [&](size_t t, int) {
    const size_t begin = n * t / parts / kLine * kLine;
    const size_t end = t + 1 == parts ? n : n * (t + 1) / parts / kLine * kLine;
    if (begin < end) body(begin, end);
  });
}

// Calls body(begin, end) over [0, n) in chunks of kChunk numbers, on the thread pool from
// kLayerParallelThreshold numbers on: for a layer's activations and their gradients.
inline void for_chunks(size_t n, const std::function<void(size_t, size_t)>& body) {
  if (n < kLayerParallelThreshold)
    body(0, n);
  else
    parallel_for(n, kChunk, body);
}

// Rows per chunk of a (rows, C) block: about kChunk numbers.
inline size_t rows_per_chunk(size_t channels) { return std::max<size_t>(1, kChunk / channels); }

// Calls body(r0, r1) over the rows [0, rows) of a (rows, C) block, in chunks of
// rows_per_chunk(C) rows; on the thread pool from kLayerParallelThreshold numbers on.
inline void for_row_chunks(size_t rows, size_t channels, const std::function<void(size_t, size_t)>& body) {
  if (rows * channels < kLayerParallelThreshold)
    body(0, rows);
  else
    parallel_for(rows, rows_per_chunk(channels), body);
}

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
