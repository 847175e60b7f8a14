// The plain path of UpSampling2D (layers/upsampling.h): nearest-neighbour enlargement and
// its gradient, written straight from the formulas, one number at a time.
//
// Legend: N batch, H W C input image, sh sw the factors; the output is (H·sh, W·sw, C).
// Output pixel (i, j) is a copy of input pixel (i / sh, j / sw) (integer division), so
// every input pixel is copied into an sh×sw block of the output.
#pragma once
#include "kernels/upsampling.h"  // UpsampleShape: the geometry, shared with the fast path

namespace nn::ref {

// y[n][i][j][c] = x[n][i / sh][j / sw][c]       x: (N, H, W, C)  y: (N, H·sh, W·sw, C)
void upsample_forward(const float* x, float* y, int n, const UpsampleShape& shape);

// dx[n][a][b][c] = Σ_{u < sh, v < sw} dy[n][a·sh + u][b·sw + v][c]   (summed in double)
//                                             dy: (N, H·sh, W·sw, C)  dx: (N, H, W, C)
void upsample_backward(const float* dy, float* dx, int n, const UpsampleShape& shape);

}  // namespace nn::ref
