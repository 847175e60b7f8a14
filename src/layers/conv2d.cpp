#include "layers/conv2d.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/conv_gemm.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/simd_clones.h"
#include "kernels/thread_pool.h"
#include "layers/row_sums.h"
#include "layers/window.h"
#include "tensor/rng.h"

namespace nn::layers {
namespace {

// The two small loops that run over every number of a convolution's data besides the
// matrix multiplies. NN_SIMD_CLONES compiles them for AVX-512, AVX2 and plain x86-64 and
// the best the CPU has is picked when the program loads (as Adam does); __restrict says
// the arrays do not overlap, so they vectorise without run-time checks.

// acc[j] += Σ_{r0 <= r < r1} x[r][j] for j < cols, x's rows `stride` floats apart: the
// bias gradient (x = dz, (rows, F)) and the sum of dW's per-group partials (x = a column
// range of the (groups, kh·kw·C·F) partials). Rows are added in order, so the result does
// not depend on how the columns are split between threads. Blocks of
// 16 columns are summed down the rows in a local array the compiler keeps in registers
// (adding straight into acc[] in memory makes each row wait for the previous row's
// store); `#pragma GCC unroll 1` keeps the 16-wide step a loop g++ turns into one vector
// operation (unrolled into 16 scalar statements, it stays scalar).
NN_SIMD_CLONES
void add_column_block_sums(const float* __restrict x, size_t r0, size_t r1, size_t cols, size_t stride,
                           float* __restrict acc) {
  constexpr size_t kBlock = 16;
  for (size_t j0 = 0; j0 < cols; j0 += kBlock) {
    const size_t width = std::min(kBlock, cols - j0);
    float sum[kBlock] = {};
    if (width == kBlock) {
      for (size_t r = r0; r < r1; ++r) {
        const float* row = x + r * stride + j0;
#pragma GCC unroll 1
        for (size_t t = 0; t < kBlock; ++t) sum[t] += row[t];
      }
    } else {
      for (size_t r = r0; r < r1; ++r)
        for (size_t t = 0; t < width; ++t) sum[t] += x[r * stride + j0 + t];
    }
    for (size_t t = 0; t < width; ++t) acc[j0 + t] += sum[t];
  }
}

// dst[j] = src[j] for j < count: one run of pixels copied into a patch. Runs are short (9
// floats for a 3×3 window on an RGB image, whose layer copies 100K of them per batch, twice:
// forward and backward), too short for a memcpy call to pay: fixed-size memcpys compile to
// plain vector moves with no call. (The tail is written out as 4 + 2 + 1 on purpose: g++
// turns a plain element loop into a call to memmove, which for one float cost more than
// the whole rest of the copy.)
inline void copy_floats(float* __restrict dst, const float* __restrict src, int count) {
  for (; count >= 8; count -= 8, dst += 8, src += 8) std::memcpy(dst, src, 8 * sizeof(float));
  if (count >= 4) {
    std::memcpy(dst, src, 4 * sizeof(float));
    count -= 4, dst += 4, src += 4;
  }
  if (count >= 2) {
    std::memcpy(dst, src, 2 * sizeof(float));
    count -= 2, dst += 2, src += 2;
  }
  if (count) *dst = *src;
}

// dst[j] += src[j] for j < count: one patch row of dcols folded back into dx.
NN_SIMD_CLONES
void add_into(float* __restrict dst, const float* __restrict src, int count) {
  for (int j = 0; j < count; ++j) dst[j] += src[j];
}

}  // namespace

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
  // The padded image reaches as far as the last window does (for "valid" windows that can
  // stop short of the edge: then nothing is padded).
  padded_h_ = std::max(in_h_ + pad_top_, (out_h_ - 1) * strides_ + kernel_size_);
  padded_w_ = std::max(in_w_ + pad_left_, (out_w_ - 1) * strides_ + kernel_size_);

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

void Conv2D::pad_image(const float* img, float* padded) const {
  const size_t c = in_c_, row = static_cast<size_t>(padded_w_) * c;
  for (int py = 0; py < padded_h_; ++py, padded += row) {
    const int iy = py - pad_top_;
    if (iy < 0 || iy >= in_h_) {
      std::fill(padded, padded + row, 0.0f);
      continue;
    }
    const size_t before = pad_left_ * c, inside = in_w_ * c;
    std::fill(padded, padded + before, 0.0f);
    std::memcpy(padded + before, img + iy * inside, inside * sizeof(float));
    std::fill(padded + before + inside, padded + row, 0.0f);
  }
}

const float* Conv2D::padded_source(const float* img, float* padded) const {
  if (!needs_padding()) return img;
  pad_image(img, padded);
  return padded;
}

void Conv2D::im2col_image(const float* img, float* padded, float* out) const {
  const float* src = padded_source(img, padded);
  const int k = kernel_size_, run = k * in_c_;
  const size_t row = static_cast<size_t>(padded_w_) * in_c_;
  // In the padded image every window lies wholly inside, so each of a patch's kh rows is
  // one run of kw·C neighbouring numbers (NHWC keeps a pixel's channels together and a
  // row's pixels next to each other): one copy per patch row, with no edge cases.
  for (int oy = 0; oy < out_h_; ++oy) {
    for (int ox = 0; ox < out_w_; ++ox) {
      const float* window = src + static_cast<size_t>(oy) * strides_ * row + static_cast<size_t>(ox) * strides_ * in_c_;
      for (int ky = 0; ky < k; ++ky, out += run) copy_floats(out, window + ky * row, run);
    }
  }
}

void Conv2D::col2im_image(const float* dcols, float* padded, float* img) const {
  const int k = kernel_size_, run = k * in_c_;
  const size_t row = static_cast<size_t>(padded_w_) * in_c_;
  // Add into the padded image (the padding collects the shares of positions that do not
  // exist, and is thrown away), then copy the inside out. Patches overlap when the stride
  // is smaller than the window, so a pixel collects from several patches; they are added
  // in the same order every time.
  float* dst = needs_padding() ? padded : img;
  std::fill(dst, dst + padded_h_ * row, 0.0f);
  for (int oy = 0; oy < out_h_; ++oy) {
    for (int ox = 0; ox < out_w_; ++ox) {
      float* window = dst + static_cast<size_t>(oy) * strides_ * row + static_cast<size_t>(ox) * strides_ * in_c_;
      for (int ky = 0; ky < k; ++ky, dcols += run) add_into(window + ky * row, dcols, run);
    }
  }
  if (needs_padding()) unpad_image(padded, img);
}

void Conv2D::unpad_image(const float* padded, float* img) const {
  const size_t row = static_cast<size_t>(padded_w_) * in_c_, inside = static_cast<size_t>(in_w_) * in_c_;
  for (int iy = 0; iy < in_h_; ++iy)
    std::memcpy(img + iy * inside, padded + (iy + pad_top_) * row + pad_left_ * in_c_, inside * sizeof(float));
}

void Conv2D::reserve_padded_images() {
  if (needs_padding()) padded_.resize({get_num_threads(), padded_h_ * padded_w_ * in_c_});
}

float* Conv2D::padded_image(int worker) {
  return needs_padding() ? padded_.data() + static_cast<size_t>(worker) * padded_h_ * padded_w_ * in_c_ : nullptr;
}

ConvShape Conv2D::gemm_shape() const {
  return {.out_h = out_h_, .out_w = out_w_, .kernel = kernel_size_, .stride = strides_, .channels = in_c_,
          .filters = filters_, .in_h = in_h_, .in_w = in_w_, .pad_top = pad_top_, .pad_left = pad_left_};
}

int Conv2D::images_per_group() const {
  // Enough images that the group's dW multiply runs over at least 512 output pixels (its
  // inner dimension): one image of a 32×32 output, two of a 16×16 one, eight of an 8×8
  // one (256 and 1024 measured no better on bench_cnn). It depends on the layer's shape
  // only, never on the thread count, so neither does the order dW's partials are added in.
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
  y.resize({x.dim(0), out_h_, out_w_, filters_});
  if (conv_gemm_supported(gemm_shape()))
    forward_implicit(x, y);
  else
    forward_im2col(x, y);
  x_ = &x;
  y_ = &y;
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
  const ConvShape shape = gemm_shape();
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
  // cache. (Measured on bench_cnn, 2 threads: about 3% more images/s.) The multiply called
  // inside a task runs on that task's thread, so the result does not depend on the thread
  // count.
  const size_t image = static_cast<size_t>(in_h_) * in_w_ * in_c_;
  parallel_tasks(static_cast<size_t>(n), [&](size_t i, int worker) {
    float* cols = cols_.data() + worker * scratch;
    im2col_image(x.data() + i * image, padded_image(worker), cols);
    float* z = y.data() + i * rows_per_image * filters_;
    sgemm(false, false, rows_per_image, filters_, patch, 1.0f, cols, patch, kernel_.value.data(), filters_, 0.0f, z,
          filters_);
    finish_output(z);
  });
}

void Conv2D::backward(const Tensor& dy, Tensor& dx) {
  const int n = dy.dim(0), patch = patch_size();
  const int m = n * out_h_ * out_w_;
  // dz = act'(z) ⊙ dy, unless the loss already handed us dL/dz (fused softmax).
  const Tensor* dz = &dy;
  if (!activation_fused_ && activation_ != ActivationKind::linear) {
    dz_.resize(dy.shape());
    activation_backward(activation_, y_->data(), dy.data(), dz_.data(), m, filters_);
    dz = &dz_;
  }
  // Each group of images (images_per_group) gets a task that writes its share of dW and
  // of db into its own row of partials (dW first, then db; see group_partial), and dx.
  const float* dzs = dz->data();
  const bool need_dx = input_gradient_needed();
  const int groups = group_count(n);
  const size_t weights = static_cast<size_t>(patch) * filters_;
  dw_partial_.resize({groups, static_cast<int>(weights) + filters_});
  if (need_dx) dx.resize({n, in_h_, in_w_, in_c_});
  if (conv_gemm_supported(gemm_shape()))
    backward_groups_implicit(dzs, dx, need_dx);
  else
    backward_groups_im2col(dzs, dx, need_dx);

  // dW += the partials, added in group order (element by element, split over the pool),
  // and db likewise.
  const float* partial = dw_partial_.data();
  const size_t row = weights + filters_;
  float* dw = kernel_.grad.data();
  for_chunks(weights, [&](size_t j0, size_t j1) {
    add_column_block_sums(partial + j0, 0, static_cast<size_t>(groups), j1 - j0, row, dw + j0);
  });
  add_column_block_sums(partial + weights, 0, static_cast<size_t>(groups), filters_, row, bias_.grad.data());
}

float* Conv2D::group_partial(int g, const float* dz, int i0, int i1) {
  // The group's db share, Σ dz over its rows, computed here while the task's dz is about
  // to be read by its dW multiply anyway (a pass of its own over all of dz cost more).
  float* partial = dw_partial_.data() + static_cast<size_t>(g) * dw_partial_.dim(1);
  float* db = partial + patch_size() * filters_;
  const size_t rows_per_image = static_cast<size_t>(out_h_) * out_w_;
  std::fill(db, db + filters_, 0.0f);
  add_column_block_sums(dz + i0 * rows_per_image * filters_, 0, (i1 - i0) * rows_per_image, filters_, filters_, db);
  return partial;
}

void Conv2D::backward_groups_implicit(const float* dz, Tensor& dx, bool need_dx) {
  // A task per group: dW's share = patchesᵀ · dz straight from the group's images, and
  // image by image dx += dz · Wᵀ added straight back into dx (kernels/conv_gemm.h). No
  // patch matrix and no padded copy is ever written. Each task's numbers depend only on
  // its images, and the partials are added in group order, so dW is the same for any
  // thread count.
  const ConvShape shape = gemm_shape();
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
      im2col_image(x_->data() + i * image, padded_image(worker),
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
      col2im_image(dcols, padded_image(worker), dx.data() + i * image);
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

}  // namespace nn::layers
