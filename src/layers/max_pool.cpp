// MaxPooling2D — the layer: its shapes and calls. The maths is in max_pool.h; the plain
// loops in reference/max_pool.cpp (reference mode), the fast loop in kernels/max_pool.cpp.
#include "layers/max_pool.h"

#include "kernels/max_pool.h"
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
  const int n = x.dim(0);
  y.resize({n, out_h_, out_w_, channels_});
  argmax_.resize(y.size());  // a std::vector keeps its capacity when it shrinks
  if (reference_mode())  // the plain loops of src/reference/
    ref::max_pool_forward(x.data(), y.data(), argmax_.data(), n, pool_shape());
  else  // the same maxima and argmax, an image per task
    max_pool_forward_fast(x.data(), y.data(), argmax_.data(), n, pool_shape());
}

void MaxPooling2D::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  const int n = dy.dim(0);
  dx.resize({n, in_h_, in_w_, channels_});
  // dy back to each window's argmax, dx zero everywhere else.
  if (reference_mode())
    ref::max_pool_backward(dy.data(), argmax_.data(), dx.data(), n, pool_shape());
  else
    max_pool_backward_fast(dy.data(), argmax_.data(), dx.data(), n, pool_shape());
}

PoolShape MaxPooling2D::pool_shape() const {
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
