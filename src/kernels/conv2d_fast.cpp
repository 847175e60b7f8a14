// Conv2D's fast path: the orchestration of kernels/conv_gemm.h (implicit GEMM) and
// kernels/im2col.h + sgemm (im2col) over a batch, with the per-worker scratch of
// Conv2DWorkspace. The contract is in conv2d_fast.h.
#include "kernels/conv2d_fast.h"

#include <algorithm>

#include "kernels/column_sums.h"
#include "kernels/conv_gemm.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"
#include "kernels/thread_pool.h"
#include "kernels/activations.h"

namespace nn {
namespace {

// ---------------------------------------------------------------- image groups (backward)

int group_count(const ConvShape& shape, int n) {
  return (n + conv2d_images_per_group(shape) - 1) / conv2d_images_per_group(shape);
}

struct Images {
  int first, last;  // [first, last)
};

Images group_images(const ConvShape& shape, int g, int n) {  // group g's images in a batch of n
  const int first = g * conv2d_images_per_group(shape);
  return {first, std::min(n, first + conv2d_images_per_group(shape))};
}

// Group g's row of ws.dw_partial (its dW share goes first, then db's), with its db share
// already summed from dz (N·Ho·Wo, F) over images [i0, i1). Summed here while the task's
// dz is about to be read by its dW multiply anyway (a pass of its own over all of dz cost
// more).
float* group_partial(const ConvShape& shape, Conv2DWorkspace& ws, int g, const float* dz, int i0, int i1) {
  const int f = shape.filters;
  float* partial = ws.dw_partial.data() + static_cast<size_t>(g) * ws.dw_partial.dim(1);
  float* db = partial + shape.patch() * f;
  const size_t rows_per_image = static_cast<size_t>(shape.pixels());
  std::fill(db, db + f, 0.0f);
  add_column_sums(dz + i0 * rows_per_image * f, (i1 - i0) * rows_per_image, f, f, db);
  return partial;
}

// ---------------------------------------------------------------- im2col's padded copies

// ws.padded sized for every worker thread, when the shape has padding.
void reserve_padded_images(const ConvShape& shape, Conv2DWorkspace& ws) {
  if (shape.needs_padding()) ws.padded.resize({get_num_threads(), static_cast<int>(shape.padded_image())});
}

// That worker's (Hp, Wp, C) scratch, or null when the shape needs no padding.
float* padded_image(const ConvShape& shape, Conv2DWorkspace& ws, int worker) {
  return shape.needs_padding() ? ws.padded.data() + worker * shape.padded_image() : nullptr;
}

// One image's rows of cols (Ho·Wo, k·k·C) <- the patches of img (H, W, C), through the
// padded copy `padded` (Hp, Wp, C) when the shape has padding (else null is fine): the
// copies then need no test for the image's edge.
void image_to_patches(const ConvShape& shape, const float* img, float* padded, float* cols) {
  if (shape.needs_padding()) {
    pad_image(shape, img, padded);
    img = padded;
  }
  im2col_image(shape, img, cols);
}

// One image's dx img (H, W, C) <- every patch row of dcols (Ho·Wo, k·k·C) added back where
// it came from, through `padded` (Hp, Wp, C) when the shape has padding.
void patches_to_image(const ConvShape& shape, const float* dcols, float* padded, float* img) {
  if (!shape.needs_padding()) return col2im_image(shape, dcols, img);
  // The border collects the shares of positions that do not exist, and is thrown away.
  col2im_image(shape, dcols, padded);
  unpad_image(shape, padded, img);
}

// ---------------------------------------------------------------- forward

// Image by image (a task each), multiplied where it lies (kernels/conv_gemm.h):
// z = b + patches · W, then act, in place on y. W is packed for the micro-kernel once, for
// all the images.                  x: (N, H, W, C)  w: (k·k·C, F)  b: (F)  y: (N, Ho, Wo, F)
void forward_implicit(const float* x, const float* w, const float* b, ActivationKind act, float* y, int n,
                      const ConvShape& shape, Conv2DWorkspace& ws) {
  const int f = shape.filters;
  ws.packed_w.resize({static_cast<int>(conv_packed_weights_size(shape))});
  conv_pack_weights(shape, w, ws.packed_w.data());
  const size_t image = shape.image(), out = static_cast<size_t>(shape.pixels()) * f;
  parallel_tasks(static_cast<size_t>(n), [&](size_t i, int) {
    float* z = y + i * out;
    conv_forward_image(shape, x + i * image, ws.packed_w.data(), b, z);
    activation_forward_fast(act, z, z, shape.pixels(), f);
  });
}

// Image by image (a task each): copy its patches into this worker's scratch, then, while
// they are still in the core's cache, z = cols · W ((Ho·Wo)×(k·k·C) times (k·k·C)×F), + b
// and act, in place on y. The patches of the whole batch are not kept: for a (16, 16, 32)
// input they would be 9 MiB written out here, then read back in backward by one big dW
// multiply that must repack all of them transposed; backward copies them again from the
// 1 MiB input instead, a group at a time, while they are in cache, which costs less than
// the round trip through memory. The multiply called inside a task runs on that task's
// thread, so the result does not depend on the thread count.
//                                  x: (N, H, W, C)  w: (k·k·C, F)  b: (F)  y: (N, Ho, Wo, F)
void forward_im2col(const float* x, const float* w, const float* b, ActivationKind act, float* y, int n,
                    const ConvShape& shape, Conv2DWorkspace& ws) {
  const int patch = shape.patch(), f = shape.filters;
  const int rows_per_image = shape.pixels();
  // One worker's scratch for the patches of a group of images (backward uses it too).
  const size_t scratch = static_cast<size_t>(conv2d_images_per_group(shape)) * rows_per_image * patch;
  ws.cols.resize({get_num_threads(), static_cast<int>(scratch)});
  reserve_padded_images(shape, ws);
  const size_t image = shape.image();
  parallel_tasks(static_cast<size_t>(n), [&](size_t i, int worker) {
    float* cols = ws.cols.data() + worker * scratch;
    image_to_patches(shape, x + i * image, padded_image(shape, ws, worker), cols);
    float* z = y + i * rows_per_image * f;
    sgemm(false, false, rows_per_image, f, patch, 1.0f, cols, patch, w, f, 0.0f, z, f);
    add_row_vector(z, b, rows_per_image, f);
    activation_forward_fast(act, z, z, rows_per_image, f);
  });
}

// ---------------------------------------------------------------- backward, per image group

// A task per group: dW's share = patchesᵀ · dz straight from the group's images, and image
// by image dx += dz · Wᵀ added straight back into dx (kernels/conv_gemm.h). No patch matrix
// and no padded copy is ever written. Each task's numbers depend only on its images.
// weight_grads false: no dW/db shares (x unused).
//                     x: (N, H, W, C)  w: (k·k·C, F)  dz: (N, Ho, Wo, F)  dx: (N, H, W, C) or null
void backward_groups_implicit(const float* x, const float* w, const float* dz, bool weight_grads, float* dx, int n,
                              const ConvShape& shape, Conv2DWorkspace& ws) {
  const size_t image = shape.image(), dz_image = static_cast<size_t>(shape.pixels()) * shape.filters;
  if (weight_grads)
    ws.dw_scratch.resize(
        {get_num_threads(), static_cast<int>(conv_weight_grad_scratch(shape, conv2d_images_per_group(shape)))});
  if (dx) {
    ws.packed_w.resize({static_cast<int>(conv_packed_weights_size(shape))});
    conv_pack_weights_transposed(shape, w, ws.packed_w.data());
  }
  parallel_tasks(static_cast<size_t>(group_count(shape, n)), [&](size_t g, int worker) {
    const auto [i0, i1] = group_images(shape, static_cast<int>(g), n);
    if (weight_grads) {
      float* partial = group_partial(shape, ws, static_cast<int>(g), dz, i0, i1);
      conv_weight_grad(shape, x + i0 * image, i1 - i0, dz + i0 * dz_image,
                       ws.dw_scratch.data() + worker * ws.dw_scratch.dim(1), partial);
    }
    if (!dx) return;
    for (int i = i0; i < i1; ++i) {
      float* out = dx + i * image;
      std::fill(out, out + image, 0.0f);
      conv_input_grad_image(shape, dz + i * dz_image, ws.packed_w.data(), out);
    }
  });
}

// A task per group of images: copy the group's patches again into this worker's scratch
// (forward did not keep them), then, while they are in the core's cache,
//   the group's share of dW:  colsᵀ · dz  ((k·k·C)×(rows) times (rows)×F), into its own
//                             partial (no other task writes it), and
//   image by image:           dcols = dz · Wᵀ  ((Ho·Wo)×F times F×(k·k·C)), folded back
//                             into dx (one image of dcols, ≤ 288 KiB, stays in cache).
// Each multiply runs on its task's thread (sgemm inside a task is serial).
// weight_grads false: no dW/db shares (x unused).
//                     x: (N, H, W, C)  w: (k·k·C, F)  dz: (N, Ho, Wo, F)  dx: (N, H, W, C) or null
void backward_groups_im2col(const float* x, const float* w, const float* dz, bool weight_grads, float* dx, int n,
                            const ConvShape& shape, Conv2DWorkspace& ws) {
  const int patch = shape.patch(), f = shape.filters;
  const int rows_per_image = shape.pixels();
  const size_t cols_scratch = static_cast<size_t>(conv2d_images_per_group(shape)) * rows_per_image * patch;
  const size_t dcols_scratch = static_cast<size_t>(rows_per_image) * patch;
  if (weight_grads) ws.cols.resize({get_num_threads(), static_cast<int>(cols_scratch)});
  reserve_padded_images(shape, ws);
  if (dx) ws.dcols.resize({get_num_threads(), static_cast<int>(dcols_scratch)});
  const size_t image = shape.image();
  parallel_tasks(static_cast<size_t>(group_count(shape, n)), [&](size_t g, int worker) {
    const auto [i0, i1] = group_images(shape, static_cast<int>(g), n);
    if (weight_grads) {
      float* cols = ws.cols.data() + worker * cols_scratch;
      for (int i = i0; i < i1; ++i)
        image_to_patches(shape, x + i * image, padded_image(shape, ws, worker),
                         cols + static_cast<size_t>(i - i0) * rows_per_image * patch);
      const float* dz_group = dz + static_cast<size_t>(i0) * rows_per_image * f;
      float* partial = group_partial(shape, ws, static_cast<int>(g), dz, i0, i1);
      sgemm(true, false, patch, f, (i1 - i0) * rows_per_image, 1.0f, cols, patch, dz_group, f, 0.0f, partial, f);
    }
    if (!dx) return;
    float* dcols = ws.dcols.data() + worker * dcols_scratch;
    for (int i = i0; i < i1; ++i) {
      const float* dz_image = dz + static_cast<size_t>(i) * rows_per_image * f;
      sgemm(false, true, rows_per_image, patch, f, 1.0f, dz_image, f, w, f, 0.0f, dcols, patch);
      patches_to_image(shape, dcols, padded_image(shape, ws, worker), dx + i * image);
    }
  });
}

}  // namespace

int conv2d_images_per_group(const ConvShape& shape) {
  // One image of a 32×32 output, two of a 16×16 one, eight of an 8×8 one (a tuned value:
  // smaller and larger groups were no faster).
  const int rows_per_image = shape.pixels();
  return std::max(1, (512 + rows_per_image - 1) / rows_per_image);
}

void conv2d_forward_fast(const float* x, const float* w, const float* b, ActivationKind act, float* y, int n,
                         const ConvShape& shape, Conv2DWorkspace& workspace) {
  if (conv_gemm_supported(shape))
    forward_implicit(x, w, b, act, y, n, shape, workspace);
  else
    forward_im2col(x, w, b, act, y, n, shape, workspace);
}

void conv2d_backward_fast(const float* x, const float* w, const float* dz, float* dw, float* db, float* dx, int n,
                          const ConvShape& shape, Conv2DWorkspace& workspace) {
  // Each group of images gets a task that writes its share of dW and of db into its own
  // row of partials (dW first, then db; see group_partial), and its images' dx.
  const bool weight_grads = dw != nullptr;
  const int groups = group_count(shape, n), f = shape.filters;
  const size_t weights = static_cast<size_t>(shape.patch()) * f;
  if (weight_grads) workspace.dw_partial.resize({groups, static_cast<int>(weights) + f});
  if (conv_gemm_supported(shape))
    backward_groups_implicit(x, w, dz, weight_grads, dx, n, shape, workspace);
  else
    backward_groups_im2col(x, w, dz, weight_grads, dx, n, shape, workspace);
  if (!weight_grads) return;

  // dW += the partials, added in group order (each weight on its own, in column sums down
  // the groups' rows), and db likewise: the same order for any thread count.
  const float* partial = workspace.dw_partial.data();
  const size_t row = weights + f;
  add_column_sums(partial, static_cast<size_t>(groups), weights, row, dw);
  add_column_sums(partial + weights, static_cast<size_t>(groups), f, row, db);
}

}  // namespace nn
