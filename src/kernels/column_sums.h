// The library's column sum: sums[j] += Σ_r x[r][j]. A bias gradient is one (db = Σ over
// the batch of dz, for Dense and Conv2D alike), and so is the sum of a convolution's
// per-group weight-gradient partials.
#pragma once
#include <cstddef>

namespace nn {

// sums[j] += Σ_{r < rows} x[r·stride + j]   for j < cols
//   x: (rows, cols), its rows `stride` floats apart (stride >= cols: x may be a block of
//      columns of a wider matrix); sums: (cols); x and sums must not overlap.
//
// Deterministic: each column is summed from zero down the rows in row order, in float, and
// the total then added to sums[j] — whatever the thread count and however the columns are
// split. Blocks of 16 columns are summed in registers (adding straight into sums[] in
// memory makes each row wait for the previous row's store).
//
// Threads: from kLayerParallelThreshold numbers on (kernels/parallel.h) the columns are
// split over the thread pool, each column on one thread; below that, and when called from
// inside a parallel task, it runs on the calling thread. Thread-safe as long as no other
// thread writes `sums`.
void add_column_sums(const float* x, size_t rows, size_t cols, size_t stride, float* sums);

}  // namespace nn
