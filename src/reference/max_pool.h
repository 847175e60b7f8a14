// The plain path of MaxPooling2D (layers/max_pool.h): the window maximum and where it was.
//
// Legend: N batch, H W C input image, Ho Wo output image, p the p×p window, s the stride,
// pt pl the positions before the image (kernels/pool_shape.h; "same" and "valid" in
// layers/window.h). Window (oy, ox) covers input rows iy = oy·s - pt ... oy·s - pt + p - 1
// and columns ix = ox·s - pl ... ox·s - pl + p - 1; positions outside the image are
// skipped (not counted as 0). The argmax is a flat index into one sample's (H, W, C)
// input, (iy·W + ix)·C + c, exactly what the fast path (kernels/max_pool.h) keeps.
#pragma once
#include <cstdint>

#include "kernels/pool_shape.h"  // PoolShape: the geometry, shared with the fast path

namespace nn::ref {

// y[n][oy][ox][c] = max over the window (oy, ox) of x[n][iy][ix][c]
// argmax[n][oy][ox][c] = where that max is: the first one in row-major window order when
//   several tie (a later value replaces the best only when strictly larger)
//                                  x: (N, H, W, C)  y: (N, Ho, Wo, C)  argmax: (N, Ho, Wo, C)
void max_pool_forward(const float* x, float* y, int32_t* argmax, int n, const PoolShape& shape);

// dx[n][i] = Σ_{o : argmax[n][o] = i} dy[n][o]   (zero where no window's max was)
//   only the max moved y, so each window's error goes back to its argmax alone;
//   overlapping windows (s < p) may send several to one input.
//                                  dy: (N, Ho, Wo, C)  argmax: (N, Ho, Wo, C)  dx: (N, H, W, C)
void max_pool_backward(const float* dy, const int32_t* argmax, float* dx, int n, const PoolShape& shape);

}  // namespace nn::ref
