// Conv2D's fast path (layers/conv2d.h has the maths; reference/conv2d.h the plain loops):
// the whole of a forward or a backward pass over a batch, split over the thread pool.
//
// Legend: N batch, H W C input image, Ho Wo output image, F filters, k the k×k window,
// Hp Wp the image with its zero border (kernels/conv_shape.h). W is (k, k, C, F), the
// layout Keras stores it in, i.e. a (k·k·C, F) matrix.
//
// Each call picks one of two ways to run the multiplies, by the shape alone:
//  * implicit GEMM (kernels/conv_gemm.h) when conv_gemm_supported(shape) (kw·C ≥ 32): the
//    micro-kernel reads the patches straight out of the image; no patch buffer, no padded
//    copy.
//  * im2col otherwise (the first layer of an RGB network): one image's patches are copied
//    into a per-worker buffer (kernels/im2col.h), through a zero-padded copy of the image
//    when there is padding, and multiplied with sgemm.
// Forward runs one image per task, multiplying while its data is in the core's cache.
// Backward runs one group of images per task (conv2d_images_per_group), which writes the
// group's share of dW and db into its own row of partials and the group's dx image by
// image; the partials are then added in group order (kernels/column_sums.h).
//
// Threads and determinism: the tasks run on the thread pool (kernels/thread_pool.h); how
// the work is cut into tasks, and the order of every sum, depend only on the shape, never
// on the thread count, so the results are bit-identical on 1 thread or many. A multiply
// inside a task runs on that task's thread. A workspace may be used by one call at a time.
//
// Conv2DTranspose: its forward is Conv2D's input gradient (each input pixel's numbers
// times W, added onto the output patch that pixel stands for), so it would call
// conv2d_backward_fast with dw = db = x = null, its input as dz, its output as dx, and the
// ConvShape of a Conv2D whose input is shaped like its output and whose output is shaped
// like its input (Keras stores a transposed kernel as (k, k, filters, C_in), which is
// exactly that Conv2D's W). Its dx is
// then conv2d_forward_fast of its dy (b = zeros, linear), and its dW conv2d_backward_fast
// with x := its dy, dz := its input and dx = null (the db that call also adds, the sum of
// its input, is not one it needs: give it scratch).
#pragma once
#include "kernels/activations.h"  // ActivationKind
#include "kernels/conv_shape.h"
#include "tensor/tensor.h"

namespace nn {

// The scratch one layer's fast path reuses from call to call. Every buffer is sized on use
// and keeps its allocation when a later batch is smaller (Tensor::resize), so a training
// step allocates nothing in steady state. Per-worker buffers have one row per thread of
// get_num_threads(), indexed by the worker that runs the task.
struct Conv2DWorkspace {
  Tensor cols;        // (threads, group·Ho·Wo·k·k·C) each worker's patches of its image(s)  [im2col]
  Tensor padded;      // (threads, Hp·Wp·C) each worker's zero-padded copy of one image      [im2col, padding]
  Tensor dcols;       // (threads, Ho·Wo·k·k·C) each worker's dz · Wᵀ for one image           [im2col, dx]
  Tensor packed_w;    // W (forward) or Wᵀ (backward, dx) packed for the micro-kernel        [implicit]
  Tensor dw_scratch;  // (threads, ...) each worker's panels for conv_weight_grad             [implicit, dW]
  Tensor dw_partial;  // (groups, k·k·C·F + F) each image group's share of dW, then of db     [dW]
};

// Images whose share of dW one backward task computes: enough that the group's dW multiply
// sums over at least 512 output pixels (its inner dimension). It depends on the shape only,
// never on the thread count, so neither does the order dW's partials are added in.
int conv2d_images_per_group(const ConvShape& shape);

// y = act(z),  z[n][oy][ox][f] = b[f] + Σ_{ky,kx,c} x[n][iy][ix][c] · W[ky][kx][c][f]
// (what ref::conv2d_forward and then activation_forward compute), with act applied image
// by image, while that image's z is in the core's cache.
//                     x: (N, H, W, C)  w: (k, k, C, F)  b: (F)  y: (N, Ho, Wo, F)
// y is overwritten and must not overlap x, w or b.
void conv2d_forward_fast(const float* x, const float* w, const float* b, ActivationKind act, float* y, int n,
                         const ConvShape& shape, Conv2DWorkspace& workspace);

// The three gradients of z = b + x ∗ W from dz = dL/dz (the activation already undone):
//   dw[ky][kx][c][f] += Σ_{n,oy,ox} x[n][iy][ix][c] · dz[n][oy][ox][f]    (ref::conv2d_weight_grad)
//   db[f]            += Σ_{n,oy,ox} dz[n][oy][ox][f]                      (ref::conv2d_bias_grad)
//   dx[n][iy][ix][c]  = Σ over the windows that see (iy, ix) of dz · Wᵀ    (ref::conv2d_input_grad)
//                     x: (N, H, W, C)  w: (k, k, C, F)  dz: (N, Ho, Wo, F)
//                     dw: (k, k, C, F)  db: (F)  dx: (N, H, W, C)
// dw and db are added into; dx is overwritten. dx null: no dx (the layer's input needs
// none). dw and db null together: no weight gradients, and then x may be null too.
// No output may overlap an input or another output.
void conv2d_backward_fast(const float* x, const float* w, const float* dz, float* dw, float* db, float* dx, int n,
                          const ConvShape& shape, Conv2DWorkspace& workspace);

}  // namespace nn
