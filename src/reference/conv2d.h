// The plain path of Conv2D (layers/conv2d.h): the direct convolution and its three
// gradients, each written straight from its formula as loops over every index.
//
// Like everything in src/reference/: one idea per function, one thread, sums in double.
// These are also the oracle the tests hold both fast paths (im2col and implicit GEMM) to.
//
// The innermost loop runs along the last axis of the result (filters, or channels), one
// double accumulator per element: each sum still adds its terms in the order of its
// formula, so the numbers are those of one-sum-at-a-time loops, but the compiler can
// vectorise the loop and there is no chain of dependent additions (~5x faster, which lets
// make test train tutorials 09 and 11 in reference mode).
//
// Legend: N batch, H W C input image, Ho Wo output image, F filters, k the k×k window,
// s the stride, pt pl the padding above and to the left (kernels/conv_shape.h; "same" and
// "valid" in layers/window.h). The input pixel output pixel (oy, ox) sees at window
// position (ky, kx) is
//   iy = oy·s + ky - pt,   ix = ox·s + kx - pl,
// and a pixel outside the image (padding) counts as 0, so its term is left out of a sum.
// W is (k, k, C, F), the layout Keras stores it in.
#pragma once
#include "kernels/conv_shape.h"

namespace nn::ref {

// z[n][oy][ox][f] = b[f] + Σ_{ky,kx,c} x[n][iy][ix][c] · W[ky][kx][c][f]
//                                    x: (N, H, W, C)  W: (k, k, C, F)  b: (F)  z: (N, Ho, Wo, F)
void conv2d_forward(const float* x, const float* w, const float* b, float* z, int n, const ConvShape& shape);

// dW[ky][kx][c][f] += Σ_{n,oy,ox} x[n][iy][ix][c] · dz[n][oy][ox][f]
//                                    x: (N, H, W, C)  dz: (N, Ho, Wo, F)  dW: (k, k, C, F)
void conv2d_weight_grad(const float* x, const float* dz, float* dw, int n, const ConvShape& shape);

// db[f] += Σ_{n,oy,ox} dz[n][oy][ox][f]
//                                    dz: (N, Ho, Wo, F)  db: (F)
void conv2d_bias_grad(const float* dz, float* db, int n, const ConvShape& shape);

// dx[n][iy][ix][c] = Σ_{ky,kx} Σ_f dz[n][oy][ox][f] · W[ky][kx][c][f]
//   over the window positions (ky, kx) of the output pixels (oy, ox) that see (iy, ix):
//   oy·s + ky - pt = iy and ox·s + kx - pl = ix. Every output pixel whose window covers
//   the input pixel hands back its error times the weight that joined them.
//                                    dz: (N, Ho, Wo, F)  W: (k, k, C, F)  dx: (N, H, W, C)
void conv2d_input_grad(const float* dz, const float* w, float* dx, int n, const ConvShape& shape);

}  // namespace nn::ref
