// MaxPooling2D's fast path (layers/max_pool.h has the maths; reference/max_pool.h the plain
// loops, which compute the same numbers and the same argmax).
//
// Legend: N batch, H W C input image, Ho Wo output image, p the p×p window, s the stride
// (kernels/pool_shape.h). Positions outside the image are skipped (not counted as 0). The
// argmax is a flat index into one sample's (H, W, C) input, (iy·W + ix)·C + c, the form
// ref::max_pool_forward keeps too, so either backward can follow either forward.
//
// Threads and determinism: the images are split over the thread pool, each image's y,
// argmax and dx written by one task alone, in the same order as on one thread, so results
// are bit-identical for any thread count.
#pragma once
#include <cstdint>

#include "kernels/pool_shape.h"

namespace nn {

// y[n][oy][ox][c] = max over the window (oy, ox) of x[n][iy][ix][c]
// argmax[n][oy][ox][c] = where that max is: the first one in row-major window order when
//   several tie (a later value replaces the best only when strictly larger; a NaN that
//   comes first stays)
//                                  x: (N, H, W, C)  y: (N, Ho, Wo, C)  argmax: (N, Ho, Wo, C)
// y and argmax are overwritten and must not overlap x or each other.
void max_pool_forward_fast(const float* x, float* y, int32_t* argmax, int n, const PoolShape& shape);

// dx[n][i] = Σ_{o : argmax[n][o] = i} dy[n][o]   (zero where no window's max was),
//   the terms added in output order
//                                  dy: (N, Ho, Wo, C)  argmax: (N, Ho, Wo, C)  dx: (N, H, W, C)
// dx is overwritten and must not overlap dy or argmax.
void max_pool_backward_fast(const float* dy, const int32_t* argmax, float* dx, int n, const PoolShape& shape);

}  // namespace nn
