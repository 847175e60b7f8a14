// The plain path of Conv2DTranspose (layers/conv2d_transpose.h): the transposed
// convolution and its three gradients, each written straight from its formula as loops
// over every index.
//
// Legend: N batch, H W C the layer's input, Ho Wo F its output (F filters), k the k×k
// window, s the stride, pt pl the padding (kernels/conv_shape.h). Input pixel (iy, ix) at
// window offset (ky, kx) lands on output pixel
//   oy = iy·s + ky - pt,   ox = ix·s + kx - pl,
// and a landing place outside the output (the padding) is dropped. W is (k, k, F, C), the
// layout Keras stores a transposed kernel in.
//
// As in reference/conv2d.h, the innermost loop runs along the result's last axis with one
// double accumulator per element, adding each sum's terms in the order of its formula.
//
// The geometry is given as the ConvShape of the Conv2D this layer is the transpose of (a
// Conv2D from (Ho, Wo, F) to (H, W, C)): shape.in_h, in_w, channels are this layer's
// OUTPUT (Ho, Wo, F), shape.out_h, out_w, filters its INPUT (H, W, C).
#pragma once
#include "kernels/conv_shape.h"

namespace nn::ref {

// y[n][oy][ox][f] = b[f] + Σ over (iy, ix, ky, kx) with iy·s + ky - pt = oy, ix·s + kx - pl = ox
//                          of Σ_c x[n][iy][ix][c] · W[ky][kx][f][c]
//                                    x: (N, H, W, C)  W: (k, k, F, C)  b: (F)  y: (N, Ho, Wo, F)
void conv2d_transpose_forward(const float* x, const float* w, const float* b, float* y, int n,
                              const ConvShape& shape);

// dx[n][iy][ix][c] = Σ_{ky,kx,f} dy[n][iy·s + ky - pt][ix·s + kx - pl][f] · W[ky][kx][f][c]
//   (the landing places inside the output only)
//                                    dy: (N, Ho, Wo, F)  W: (k, k, F, C)  dx: (N, H, W, C)
void conv2d_transpose_input_grad(const float* dy, const float* w, float* dx, int n, const ConvShape& shape);

// dW[ky][kx][f][c] += Σ_{n,iy,ix} dy[n][iy·s + ky - pt][ix·s + kx - pl][f] · x[n][iy][ix][c]
//                                    x: (N, H, W, C)  dy: (N, Ho, Wo, F)  dW: (k, k, F, C)
void conv2d_transpose_weight_grad(const float* x, const float* dy, float* dw, int n, const ConvShape& shape);

// db[f] += Σ_{n,oy,ox} dy[n][oy][ox][f]
//                                    dy: (N, Ho, Wo, F)  db: (F)
void conv2d_transpose_bias_grad(const float* dy, float* db, int n, const ConvShape& shape);

}  // namespace nn::ref
