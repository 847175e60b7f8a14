// Exercise 5 — AveragePooling2D: a window layer that averages
//
// Tutorial 09 shrinks its images with strides and with MaxPooling2D: a window slides over
// the image and each output keeps the largest value in its window. AveragePooling2D keeps
// the mean instead (GlobalAveragePooling2D, its whole-image form, ends many later CNNs).
// It is a window layer like Conv2D and MaxPooling2D, with the same size arithmetic: a p×p
// window moved s positions at a time (the stride), with padding "valid" (the window stays
// inside the image) or "same" (ceil(H / s) outputs; a window may hang over the border).
// src/layers/window.h explains both; nn::layers::window_axis computes them for one axis:
// the output length and how many rows (or columns) of padding come before the image.
//
//   forward   window (oy, ox) covers rows    iy = oy·s - pt ... oy·s - pt + p - 1
//                               and columns  ix = ox·s - pl ... ox·s - pl + p - 1
//             (pt, pl: WindowAxis::pad_before for the height and the width)
//             y[n,oy,ox,c] = (1 / count) · Σ x[n,iy,ix,c] over the window's positions
//                                           that are inside the image
//             count = how many positions are inside: p·p with "valid", fewer at a border
//             with "same". Keras (TensorFlow) ignores the padding: it does not average
//             zeros in.
//   backward  y[n,oy,ox,c] moves by 1/count when any one input of its window does, so each
//             of them receives dy / count:
//             dx[n,iy,ix,c] = Σ over the windows (oy, ox) containing (iy, ix) of
//                             dy[n,oy,ox,c] / count(oy, ox)
//             With strides smaller than the pool size the windows overlap and an input
//             receives shares from several of them: set dx to zero, then add the shares.
//
// Shapes: x (N, H, W, C) -> y (N, Ho, Wo, C). Channels are the last axis, as everywhere in
// nnscratch: the number at (n, iy, ix, c) is x[((n·H + iy)·W + ix)·C + c]. No weights.
//
// Your task: fill in build, forward and backward. MaxPooling2D is the closest layer: its
// build in src/layers/max_pool.cpp does the shapes, and src/reference/max_pool.cpp has its
// loops. Then run
//     make exercise N=5
// The mistakes the checks look for: dividing by p·p at a "same" border (count the inside
// positions); adding dx's shares into a dx that still holds the last batch's numbers
// (dx.resize keeps them: fill it with 0 first); sending dy back without dividing by count.
#pragma once
#include <algorithm>
#include <string>

#include "nn.h"

class AveragePooling2D : public nn::LayerBase<AveragePooling2D> {
 public:
  // strides 0 means "the pool size" (Keras's strides=None): windows side by side.
  explicit AveragePooling2D(int pool_size = 2, int strides = 0, std::string padding = "valid")
      : LayerBase("average_pooling2d"), pool_(pool_size), strides_(strides == 0 ? pool_size : strides),
        padding_(std::move(padding)) {
    if (pool_size < 1) throw nn::ValueError("AveragePooling2D: pool_size must be >= 1, got " + std::to_string(pool_size));
    if (strides < 0) throw nn::ValueError("AveragePooling2D: strides must be >= 1 (or 0 for the pool size)");
    nn::layers::check_padding(padding_, "AveragePooling2D");
  }
  std::string type() const override { return "AveragePooling2D"; }
  // For model.save and nn::load_model (src/layers/config.h); register the class before
  // loading: nn::register_layer<AveragePooling2D>("AveragePooling2D").
  nn::Config get_config() const override {
    return nn::Config().set("pool_size", pool_).set("strides", strides_).set("padding", padding_);
  }
  static AveragePooling2D from_config(const nn::Config& config) {
    return AveragePooling2D(config.get_int("pool_size"), config.get_int("strides"), config.get_string("padding"));
  }

  // in: (H, W, C) -> (Ho, Wo, C). Anything but an image is an nn::ShapeError. Keep the
  // sizes and the padding before the image in the members below, for forward and backward.
  nn::Shape build(const nn::Shape& in) override {
    (void)in;
    throw nn::Error("not implemented yet: AveragePooling2D::build (nn::layers::window_axis gives Ho, Wo and the padding)");
  }

  // x: (N, H, W, C) -> y: (N, Ho, Wo, C)
  void forward(const nn::Tensor& x, nn::Tensor& y, bool /*training*/) override {
    (void)x;
    (void)y;
    throw nn::Error("not implemented yet: AveragePooling2D::forward");
  }

  // dy: (N, Ho, Wo, C) -> dx: (N, H, W, C)
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    (void)dy;
    (void)dx;
    throw nn::Error("not implemented yet: AveragePooling2D::backward");
  }

 private:
  int pool_, strides_;
  std::string padding_;
  int in_h_ = 0, in_w_ = 0, channels_ = 0, out_h_ = 0, out_w_ = 0, pad_top_ = 0, pad_left_ = 0;  // set by build
};
