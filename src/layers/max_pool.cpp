#include "layers/max_pool.h"

#include <algorithm>
#include <limits>

#include "kernels/thread_pool.h"
#include "layers/window.h"
#include "reference/max_pool.h"
#include "reference/mode.h"

namespace nn::layers {

MaxPooling2D::MaxPooling2D(int pool_size, int strides, std::string padding)
    : LayerBase("max_pooling2d"), pool_size_(pool_size), strides_(strides == 0 ? pool_size : strides),
      padding_(std::move(padding)) {
  if (pool_size < 1) throw ValueError("MaxPooling2D: pool_size must be >= 1, got " + std::to_string(pool_size));
  if (strides < 0)
    throw ValueError("MaxPooling2D: strides must be >= 1 (or 0 for \"same as pool_size\"), got " +
                     std::to_string(strides));
  check_padding(padding_, "MaxPooling2D");
}

Shape MaxPooling2D::build(const Shape& in) {
  if (in.size() != 3)
    throw ShapeError("MaxPooling2D expects each sample to be an image (H, W, C), got " + shape_str(in));
  in_h_ = in[0];
  in_w_ = in[1];
  channels_ = in[2];
  const WindowAxis rows = window_axis(in_h_, pool_size_, strides_, padding_, "MaxPooling2D", "height");
  const WindowAxis cols = window_axis(in_w_, pool_size_, strides_, padding_, "MaxPooling2D", "width");
  out_h_ = rows.out;
  out_w_ = cols.out;
  pad_top_ = rows.pad_before;
  pad_left_ = cols.pad_before;
  return {out_h_, out_w_, channels_};
}

void MaxPooling2D::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  const int n = x.dim(0), c = channels_;
  y.resize({n, out_h_, out_w_, c});
  argmax_.resize(y.size());  // a std::vector keeps its capacity when it shrinks
  if (reference_mode()) {  // the plain loops of src/reference/
    ref::max_pool_forward(x.data(), y.data(), argmax_.data(), n, pool_shape());
    return;
  }
  const size_t image = static_cast<size_t>(in_h_) * in_w_ * c;
  const size_t out_image = static_cast<size_t>(out_h_) * out_w_ * c;
  parallel_for(static_cast<size_t>(n), 1, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      const float* img = x.data() + i * image;
      float* out = y.data() + i * out_image;
      int32_t* arg = argmax_.data() + i * out_image;
      for (int oy = 0; oy < out_h_; ++oy) {
        for (int ox = 0; ox < out_w_; ++ox, out += c, arg += c) {
          // Scan the window in row-major order, all channels at once (they are contiguous),
          // replacing the best only on a strictly larger value: ties keep the first.
          std::fill(out, out + c, -std::numeric_limits<float>::infinity());
          std::fill(arg, arg + c, -1);
          for (int iy = std::max(0, oy * strides_ - pad_top_);
               iy < std::min(in_h_, oy * strides_ - pad_top_ + pool_size_); ++iy) {
            for (int ix = std::max(0, ox * strides_ - pad_left_);
                 ix < std::min(in_w_, ox * strides_ - pad_left_ + pool_size_); ++ix) {
              const int32_t base = (iy * in_w_ + ix) * c;
              const float* px = img + base;
              for (int j = 0; j < c; ++j) {
                if (px[j] > out[j] || arg[j] < 0) {  // arg < 0: the first value (even NaN) starts the scan
                  out[j] = px[j];
                  arg[j] = base + j;
                }
              }
            }
          }
        }
      }
    }
  });
}

void MaxPooling2D::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  const int n = dy.dim(0);
  dx.resize({n, in_h_, in_w_, channels_});
  if (reference_mode()) {  // dy back to each window's argmax, in src/reference/
    ref::max_pool_backward(dy.data(), argmax_.data(), dx.data(), n, pool_shape());
    return;
  }
  const size_t image = static_cast<size_t>(in_h_) * in_w_ * channels_;
  const size_t out_image = static_cast<size_t>(out_h_) * out_w_ * channels_;
  // Each image's dx is written by one task only, in output order: reproducible.
  parallel_for(static_cast<size_t>(n), 1, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) {
      float* img = dx.data() + i * image;
      std::fill(img, img + image, 0.0f);
      const float* d = dy.data() + i * out_image;
      const int32_t* arg = argmax_.data() + i * out_image;
      for (size_t o = 0; o < out_image; ++o) img[arg[o]] += d[o];
    }
  });
}

ref::PoolShape MaxPooling2D::pool_shape() const {
  return {.in_h = in_h_, .in_w = in_w_, .channels = channels_, .out_h = out_h_, .out_w = out_w_,
          .pool = pool_size_, .stride = strides_, .pad_top = pad_top_, .pad_left = pad_left_};
}

double MaxPooling2D::forward_flops() const {
  return static_cast<double>(out_h_) * out_w_ * channels_ * pool_size_ * pool_size_;
}

Config MaxPooling2D::get_config() const {
  return Config().set("pool_size", pool_size_).set("strides", strides_).set("padding", padding_);
}

MaxPooling2D MaxPooling2D::from_config(const Config& config) {
  return MaxPooling2D(config.get_int("pool_size"), config.get_int("strides"), config.get_string("padding"));
}

}  // namespace nn::layers
