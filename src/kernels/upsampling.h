// UpSampling2D's fast path (layers/upsampling.h has the maths; reference/upsampling.h the
// plain loops, which compute the same numbers).
//
// Legend: N batch, H W C input image, sh sw the factors, so the output is (H·sh, W·sw, C).
// Forward builds each output row once (every input pixel's C numbers written sw times)
// and copies it to the sh - 1 rows below: whole rows of memcpy instead of one lookup per
// number. Backward adds each sh×sw block, channels side by side, in a fixed order (rows of
// the block top to bottom, each left to right), the same order on any thread count.
//
// Threads: the images are split over the thread pool, each image written by one task
// alone, so results are bit-identical for any thread count.
#pragma once

namespace nn {

struct UpsampleShape {
  int in_h = 0, in_w = 0, channels = 0;  // H, W, C
  int rows = 1, cols = 1;                // sh, sw
};

// y[n][i][j][c] = x[n][i / sh][j / sw][c]       x: (N, H, W, C)  y: (N, H·sh, W·sw, C)
// y is overwritten and must not overlap x.
void upsample_forward_fast(const float* x, float* y, int n, const UpsampleShape& shape);

// dx[n][a][b][c] = Σ_{u < sh, v < sw} dy[n][a·sh + u][b·sw + v][c]
//                                             dy: (N, H·sh, W·sw, C)  dx: (N, H, W, C)
// dx is overwritten and must not overlap dy.
void upsample_backward_fast(const float* dy, float* dx, int n, const UpsampleShape& shape);

}  // namespace nn
