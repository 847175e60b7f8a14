// Exercise 5 — reference solution: AveragePooling2D, the mean of each window.
//   y = (1/count) Σ_window x    (count: the window's positions inside the image)
//   dx = Σ over the windows containing the input of dy / count
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

  // in: (H, W, C) -> (Ho, Wo, C)
  nn::Shape build(const nn::Shape& in) override {
    if (in.size() != 3)
      throw nn::ShapeError("AveragePooling2D expects each sample to be an image (H, W, C), got " + nn::shape_str(in));
    in_h_ = in[0];
    in_w_ = in[1];
    channels_ = in[2];
    const nn::layers::WindowAxis rows = nn::layers::window_axis(in_h_, pool_, strides_, padding_, "AveragePooling2D", "height");
    const nn::layers::WindowAxis cols = nn::layers::window_axis(in_w_, pool_, strides_, padding_, "AveragePooling2D", "width");
    out_h_ = rows.out;
    out_w_ = cols.out;
    pad_top_ = rows.pad_before;
    pad_left_ = cols.pad_before;
    return {out_h_, out_w_, channels_};
  }

  // x: (N, H, W, C) -> y: (N, Ho, Wo, C)
  void forward(const nn::Tensor& x, nn::Tensor& y, bool) override {
    check_input(x);
    const int n = x.dim(0);
    y.resize({n, out_h_, out_w_, channels_});
    for (int i = 0; i < n; ++i)
      for (int oy = 0; oy < out_h_; ++oy)
        for (int ox = 0; ox < out_w_; ++ox) {
          const Window w = window(oy, ox);
          for (int c = 0; c < channels_; ++c) {
            double sum = 0;
            for (int iy = w.y0; iy < w.y1; ++iy)
              for (int ix = w.x0; ix < w.x1; ++ix) sum += x[in_index(i, iy, ix, c)];
            y[out_index(i, oy, ox, c)] = static_cast<float>(sum / w.count());
          }
        }
  }

  // dy: (N, Ho, Wo, C) -> dx: (N, H, W, C)
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    if (!input_gradient_needed()) return;  // no weights: nothing else to compute
    const int n = dy.dim(0);
    dx.resize({n, in_h_, in_w_, channels_});
    dx.fill(0.0f);  // the shares are added below; a reused dx holds the last batch's numbers
    for (int i = 0; i < n; ++i)
      for (int oy = 0; oy < out_h_; ++oy)
        for (int ox = 0; ox < out_w_; ++ox) {
          const Window w = window(oy, ox);
          for (int c = 0; c < channels_; ++c) {
            const float share = dy[out_index(i, oy, ox, c)] / static_cast<float>(w.count());
            for (int iy = w.y0; iy < w.y1; ++iy)
              for (int ix = w.x0; ix < w.x1; ++ix) dx[in_index(i, iy, ix, c)] += share;
          }
        }
  }

 private:
  int pool_, strides_;
  std::string padding_;
  int in_h_ = 0, in_w_ = 0, channels_ = 0, out_h_ = 0, out_w_ = 0, pad_top_ = 0, pad_left_ = 0;  // set by build

  // The part of window (oy, ox) inside the image: rows [y0, y1), columns [x0, x1).
  struct Window {
    int y0, y1, x0, x1;
    int count() const { return (y1 - y0) * (x1 - x0); }
  };
  Window window(int oy, int ox) const {
    const int top = oy * strides_ - pad_top_, left = ox * strides_ - pad_left_;
    return {std::max(top, 0), std::min(top + pool_, in_h_), std::max(left, 0), std::min(left + pool_, in_w_)};
  }
  size_t in_index(int i, int iy, int ix, int c) const {
    return ((static_cast<size_t>(i) * in_h_ + iy) * in_w_ + ix) * channels_ + c;
  }
  size_t out_index(int i, int oy, int ox, int c) const {
    return ((static_cast<size_t>(i) * out_h_ + oy) * out_w_ + ox) * channels_ + c;
  }
};
