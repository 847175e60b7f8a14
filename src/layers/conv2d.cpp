// Conv2D — the layer: its shapes and parameters, and calls. The maths (forward
//   z[n,oy,ox,f] = b[f] + Σ_{ky,kx,c} x[n, oy·s + ky - pt, ox·s + kx - pl, c] · W[ky,kx,c,f],
//   y = act(z), and backward's dW, db, dx) is written out in conv2d.h, and as plain loops in
// reference/conv2d.cpp, which reference mode runs. The fast path's pieces live in
// kernels/: im2col.h (patches copied into a matrix), conv_gemm.h (the implicit GEMM),
// column_sums.h (db and the sum of dW's per-group partials).
#include "layers/conv2d.h"

#include <algorithm>
#include <cmath>

#include "kernels/column_sums.h"
#include "kernels/conv_gemm.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"
#include "kernels/thread_pool.h"
#include "layers/window.h"
#include "reference/conv2d.h"
#include "reference/mode.h"
#include "tensor/rng.h"

namespace nn::layers {

Conv2D::Conv2D(int filters, int kernel_size, Conv2DOptions options)
    : LayerBase("conv2d"),
      filters_(filters),
      kernel_size_(kernel_size),
      strides_(options.strides),
      padding_(options.padding),
      activation_(activation_from_name(options.activation)) {
  if (filters < 1) throw ValueError("Conv2D: filters must be >= 1, got " + std::to_string(filters));
  if (kernel_size < 1) throw ValueError("Conv2D: kernel_size must be >= 1, got " + std::to_string(kernel_size));
  if (strides_ < 1) throw ValueError("Conv2D: strides must be >= 1, got " + std::to_string(strides_));
  check_padding(padding_, "Conv2D");
}

Shape Conv2D::build(const Shape& in) {
  if (in.size() != 3)
    throw ShapeError("Conv2D expects each sample to be an image (H, W, C), got " + shape_str(in) +
                     "; give Input a shape like (28, 28, 1) (a grey image has C = 1)");
  in_h_ = in[0];
  in_w_ = in[1];
  in_c_ = in[2];
  const WindowAxis rows = window_axis(in_h_, kernel_size_, strides_, padding_, "Conv2D", "height");
  const WindowAxis cols = window_axis(in_w_, kernel_size_, strides_, padding_, "Conv2D", "width");
  out_h_ = rows.out;
  out_w_ = cols.out;
  pad_top_ = rows.pad_before;
  pad_left_ = cols.pad_before;

  const int k = kernel_size_;
  kernel_.value = Tensor({k, k, in_c_, filters_});
  kernel_.grad = Tensor({k, k, in_c_, filters_});
  bias_.value = Tensor({filters_});
  bias_.grad = Tensor({filters_});
  // Keras's fans for a convolution: every output sees kh·kw·C inputs, every input feeds
  // kh·kw·F outputs.
  const float fan_in = static_cast<float>(k * k * in_c_), fan_out = static_cast<float>(k * k * filters_);
  const float limit = std::sqrt(6.0f / (fan_in + fan_out));
  Rng& rng = global_rng();
  for (float& w : kernel_.value) w = rng.uniform(-limit, limit);
  return {out_h_, out_w_, filters_};
}

void Conv2D::image_to_patches(const float* img, float* padded, float* cols) const {
  const ConvShape shape = conv_shape();
  if (shape.needs_padding()) {
    pad_image(shape, img, padded);
    img = padded;
  }
  im2col_image(shape, img, cols);
}

void Conv2D::patches_to_image(const float* dcols, float* padded, float* img) const {
  const ConvShape shape = conv_shape();
  if (!shape.needs_padding()) return col2im_image(shape, dcols, img);
  // The border collects the shares of positions that do not exist, and is thrown away.
  col2im_image(shape, dcols, padded);
  unpad_image(shape, padded, img);
}

void Conv2D::reserve_padded_images() {
  const ConvShape shape = conv_shape();
  if (shape.needs_padding()) padded_.resize({get_num_threads(), static_cast<int>(shape.padded_image())});
}

float* Conv2D::padded_image(int worker) {
  const ConvShape shape = conv_shape();
  return shape.needs_padding() ? padded_.data() + worker * shape.padded_image() : nullptr;
}

ConvShape Conv2D::conv_shape() const {
  return {.out_h = out_h_, .out_w = out_w_, .kernel = kernel_size_, .stride = strides_, .channels = in_c_,
          .filters = filters_, .in_h = in_h_, .in_w = in_w_, .pad_top = pad_top_, .pad_left = pad_left_};
}

int Conv2D::images_per_group() const {
  // Enough images that the group's dW multiply runs over at least 512 output pixels (its
  // inner dimension): one image of a 32×32 output, two of a 16×16 one, eight of an 8×8
  // one (a tuned value: smaller and larger groups were no faster). It depends on the
  // layer's shape only, never on the thread count, so neither does the order dW's
  // partials are added in.
  const int rows_per_image = out_h_ * out_w_;
  return std::max(1, (512 + rows_per_image - 1) / rows_per_image);
}

int Conv2D::group_count(int n) const { return (n + images_per_group() - 1) / images_per_group(); }

Conv2D::Images Conv2D::group_images(int g, int n) const {
  const int first = g * images_per_group();
  return {first, std::min(n, first + images_per_group())};
}

void Conv2D::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  const int n = x.dim(0);
  y.resize({n, out_h_, out_w_, filters_});
  x_ = &x;
  y_ = &y;
  if (reference_mode()) {  // the plain loops of src/reference/: z = b + Σ x·W, then y = act(z)
    ref::conv2d_forward(x.data(), kernel_.value.data(), bias_.value.data(), y.data(), n, conv_shape());
    activation_forward(activation_, y.data(), y.data(), n * out_h_ * out_w_, filters_);
  } else if (conv_gemm_supported(conv_shape())) {
    forward_implicit(x, y);
  } else {
    forward_im2col(x, y);
  }
}

void Conv2D::finish_output(float* z) const {
  const int rows = out_h_ * out_w_;
  add_row_vector(z, bias_.value.data(), rows, filters_);
  activation_forward(activation_, z, z, rows, filters_);
}

void Conv2D::forward_implicit(const Tensor& x, Tensor& y) {
  // Image by image (a task each), multiplied where it lies (kernels/conv_gemm.h):
  // z = b + patches · W, then act, in place on y. W is packed for the micro-kernel once,
  // for all the images.
  const ConvShape shape = conv_shape();
  packed_w_.resize({static_cast<int>(conv_packed_weights_size(shape))});
  conv_pack_weights(shape, kernel_.value.data(), packed_w_.data());
  const size_t image = shape.image(), out = static_cast<size_t>(shape.pixels()) * filters_;
  parallel_tasks(static_cast<size_t>(x.dim(0)), [&](size_t i, int) {
    float* z = y.data() + i * out;
    conv_forward_image(shape, x.data() + i * image, packed_w_.data(), bias_.value.data(), z);
    activation_forward(activation_, z, z, shape.pixels(), filters_);
  });
}

void Conv2D::forward_im2col(const Tensor& x, Tensor& y) {
  const int n = x.dim(0), patch = patch_size();
  const int rows_per_image = out_h_ * out_w_;
  // One worker's scratch for the patches of a group of images (backward uses it too).
  const size_t scratch = static_cast<size_t>(images_per_group()) * rows_per_image * patch;
  cols_.resize({get_num_threads(), static_cast<int>(scratch)});
  reserve_padded_images();
  // Image by image (a task each): copy its patches into this worker's scratch, then, while
  // they are still in the core's cache, z = cols · W ((Ho·Wo)×(kh·kw·C) times
  // (kh·kw·C)×F), + b and act, in place on y. The patches of the whole batch are not kept:
  // for a (16, 16, 32) input they would be 9 MiB written out here, then read back in
  // backward by one big dW multiply that must repack all of them transposed; backward
  // copies them again from the 1 MiB input instead, a group at a time, while they are in
  // cache, which costs less than the round trip through memory. The multiply called inside
  // a task runs on that task's thread, so the result does not depend on the thread count.
  const size_t image = static_cast<size_t>(in_h_) * in_w_ * in_c_;
  parallel_tasks(static_cast<size_t>(n), [&](size_t i, int worker) {
    float* cols = cols_.data() + worker * scratch;
    image_to_patches(x.data() + i * image, padded_image(worker), cols);
    float* z = y.data() + i * rows_per_image * filters_;
    sgemm(false, false, rows_per_image, filters_, patch, 1.0f, cols, patch, kernel_.value.data(), filters_, 0.0f, z,
          filters_);
    finish_output(z);
  });
}

void Conv2D::backward(const Tensor& dy, Tensor& dx) {
  const int n = dy.dim(0), patch = patch_size();
  const int m = n * out_h_ * out_w_;
  // dz = act'(z) ⊙ dy, unless the loss already handed us dL/dz (softmax from logits).
  const Tensor* dz = &dy;
  if (!gradient_from_logits_ && activation_ != ActivationKind::linear) {
    dz_.resize(dy.shape());
    activation_backward(activation_, y_->data(), dy.data(), dz_.data(), m, filters_);
    dz = &dz_;
  }
  const float* dzs = dz->data();
  const bool need_dx = input_gradient_needed();
  if (reference_mode()) {  // the plain loops of src/reference/, one formula each
    ref::conv2d_weight_grad(x_->data(), dzs, kernel_.grad.data(), n, conv_shape());
    ref::conv2d_bias_grad(dzs, bias_.grad.data(), n, conv_shape());
    if (!need_dx) return;
    dx.resize({n, in_h_, in_w_, in_c_});
    ref::conv2d_input_grad(dzs, kernel_.value.data(), dx.data(), n, conv_shape());
    return;
  }
  // Each group of images (images_per_group) gets a task that writes its share of dW and
  // of db into its own row of partials (dW first, then db; see group_partial), and dx.
  const int groups = group_count(n);
  const size_t weights = static_cast<size_t>(patch) * filters_;
  dw_partial_.resize({groups, static_cast<int>(weights) + filters_});
  if (need_dx) dx.resize({n, in_h_, in_w_, in_c_});
  if (conv_gemm_supported(conv_shape()))
    backward_groups_implicit(dzs, dx, need_dx);
  else
    backward_groups_im2col(dzs, dx, need_dx);

  // dW += the partials, added in group order (each weight on its own, in column sums down
  // the groups' rows), and db likewise.
  const float* partial = dw_partial_.data();
  const size_t row = weights + filters_;
  add_column_sums(partial, static_cast<size_t>(groups), weights, row, kernel_.grad.data());
  add_column_sums(partial + weights, static_cast<size_t>(groups), filters_, row, bias_.grad.data());
}

float* Conv2D::group_partial(int g, const float* dz, int i0, int i1) {
  // The group's db share, Σ dz over its rows, computed here while the task's dz is about
  // to be read by its dW multiply anyway (a pass of its own over all of dz cost more).
  float* partial = dw_partial_.data() + static_cast<size_t>(g) * dw_partial_.dim(1);
  float* db = partial + patch_size() * filters_;
  const size_t rows_per_image = static_cast<size_t>(out_h_) * out_w_;
  std::fill(db, db + filters_, 0.0f);
  add_column_sums(dz + i0 * rows_per_image * filters_, (i1 - i0) * rows_per_image, filters_, filters_, db);
  return partial;
}

void Conv2D::backward_groups_implicit(const float* dz, Tensor& dx, bool need_dx) {
  // A task per group: dW's share = patchesᵀ · dz straight from the group's images, and
  // image by image dx += dz · Wᵀ added straight back into dx (kernels/conv_gemm.h). No
  // patch matrix and no padded copy is ever written. Each task's numbers depend only on
  // its images, and the partials are added in group order, so dW is the same for any
  // thread count.
  const ConvShape shape = conv_shape();
  const int n = x_->dim(0);
  const size_t image = shape.image(), dz_image = static_cast<size_t>(shape.pixels()) * filters_;
  dw_scratch_.resize({get_num_threads(), static_cast<int>(conv_weight_grad_scratch(shape, images_per_group()))});
  if (need_dx) {
    packed_w_.resize({static_cast<int>(conv_packed_weights_size(shape))});
    conv_pack_weights_transposed(shape, kernel_.value.data(), packed_w_.data());
  }
  parallel_tasks(static_cast<size_t>(group_count(n)), [&](size_t g, int worker) {
    const auto [i0, i1] = group_images(static_cast<int>(g), n);
    conv_weight_grad(shape, x_->data() + i0 * image, i1 - i0, dz + i0 * dz_image,
                     dw_scratch_.data() + worker * dw_scratch_.dim(1), group_partial(static_cast<int>(g), dz, i0, i1));
    if (!need_dx) return;
    for (int i = i0; i < i1; ++i) {
      float* out = dx.data() + i * image;
      std::fill(out, out + image, 0.0f);
      conv_input_grad_image(shape, dz + i * dz_image, packed_w_.data(), out);
    }
  });
}

void Conv2D::backward_groups_im2col(const float* dzs, Tensor& dx, bool need_dx) {
  // A task per group of images (images_per_group): copy the group's patches again into
  // this worker's scratch (forward did not keep them), then, while they are in the core's
  // cache,
  //   the group's share of dW:  colsᵀ · dz  ((kh·kw·C)×(rows) times (rows)×F), into its own
  //                             partial (no other task writes it), and
  //   image by image:           dcols = dz · Wᵀ  ((Ho·Wo)×F times F×(kh·kw·C)), folded back
  //                             into dx (one image of dcols, ≤ 288 KiB, stays in cache).
  // Each multiply runs on its task's thread (sgemm inside a task is serial), and the
  // partials are added in group order below, so dW is the same for any thread count.
  const int n = x_->dim(0), patch = patch_size();
  const int rows_per_image = out_h_ * out_w_;
  const size_t cols_scratch = static_cast<size_t>(images_per_group()) * rows_per_image * patch;
  const size_t dcols_scratch = static_cast<size_t>(rows_per_image) * patch;
  cols_.resize({get_num_threads(), static_cast<int>(cols_scratch)});
  reserve_padded_images();
  if (need_dx) dcols_.resize({get_num_threads(), static_cast<int>(dcols_scratch)});  // one per worker thread
  const size_t image = static_cast<size_t>(in_h_) * in_w_ * in_c_;
  parallel_tasks(static_cast<size_t>(group_count(n)), [&](size_t g, int worker) {
    const auto [i0, i1] = group_images(static_cast<int>(g), n);
    float* cols = cols_.data() + worker * cols_scratch;
    for (int i = i0; i < i1; ++i)
      image_to_patches(x_->data() + i * image, padded_image(worker),
                       cols + static_cast<size_t>(i - i0) * rows_per_image * patch);
    const float* dz_group = dzs + static_cast<size_t>(i0) * rows_per_image * filters_;
    sgemm(true, false, patch, filters_, (i1 - i0) * rows_per_image, 1.0f, cols, patch, dz_group, filters_, 0.0f,
          group_partial(static_cast<int>(g), dzs, i0, i1), filters_);
    if (!need_dx) return;
    float* dcols = dcols_.data() + worker * dcols_scratch;
    for (int i = i0; i < i1; ++i) {
      const float* dz_image = dzs + static_cast<size_t>(i) * rows_per_image * filters_;
      sgemm(false, true, rows_per_image, patch, filters_, 1.0f, dz_image, filters_, kernel_.value.data(), filters_,
            0.0f, dcols, patch);
      patches_to_image(dcols, padded_image(worker), dx.data() + i * image);
    }
  });
}

double Conv2D::forward_flops() const {
  // One multiply-add (2 FLOPs) per weight per output pixel, plus the bias.
  return static_cast<double>(out_h_) * out_w_ * filters_ * (2.0 * patch_size() + 1.0);
}

std::string Conv2D::explain_params() const {
  const std::string k = std::to_string(kernel_size_);
  return std::to_string(filters_) + " filters × (" + k + "×" + k + "×" + std::to_string(in_c_) +
         " inputs + 1 bias)";
}

Config Conv2D::get_config() const {
  return Config()
      .set("filters", filters_)
      .set("kernel_size", kernel_size_)
      .set("strides", strides_)
      .set("padding", padding_)
      .set("activation", activation_name(activation_));
}

Conv2D Conv2D::from_config(const Config& config) {
  return Conv2D(config.get_int("filters"), config.get_int("kernel_size"),
                {.strides = config.get_int("strides"),
                 .padding = config.get_string("padding"),
                 .activation = config.get_string("activation")});
}

}  // namespace nn::layers
