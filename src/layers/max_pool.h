// MaxPooling2D — shrink an image by keeping only the largest value of each window, channel
// by channel: "is the feature there anywhere in this neighbourhood?"
//
//   forward   y[n,oy,ox,c] = max over the p×p window at (oy·s - pt, ox·s - pl) of x[n,·,·,c]
//             (positions outside the image are skipped, as TensorFlow's "same" pooling does)
//   backward  the max is the only input that moved y, so dx is zero except at each
//             window's argmax, which receives dy; when two inputs tie for the max, the
//             first in row-major window order wins (it is remembered during forward).
//             Overlapping windows (stride < pool size) add their shares.
//
// Shapes: x (N, H, W, C) -> y (N, Ho, Wo, C), sizes as in layers/window.h. No weights.
// The fast path (kernels/max_pool.h) scans each window with all C channels at once, an
// image per task on the thread pool; reference mode runs the plain loops of
// reference/max_pool.h instead. Both keep the argmax in the same form, so either backward
// can follow either forward.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/pool_shape.h"
#include "layers/layer.h"

namespace nn::layers {

class MaxPooling2D : public LayerBase<MaxPooling2D> {
 public:
  // strides 0 means "the pool size" (Keras's strides=None): windows side by side.
  explicit MaxPooling2D(int pool_size = 2, int strides = 0, std::string padding = "valid");

  Shape build(const Shape& in) override;                              // (H, W, C) -> (Ho, Wo, C)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, H, W, C) -> y: (N, Ho, Wo, C)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, Ho, Wo, C) -> dx: (N, H, W, C)
  std::string type() const override { return "MaxPooling2D"; }
  Config get_config() const override;  // for model.save (layers/config.h)
  static MaxPooling2D from_config(const Config& config);  // for nn::load_model
  double forward_flops() const override;  // comparisons, counted as 1 each

  int pool_size() const { return pool_size_; }
  int strides() const { return strides_; }
  const std::string& padding() const { return padding_; }

 private:
  int pool_size_, strides_;
  std::string padding_;
  PoolShape pool_shape() const;  // this layer's geometry, for kernels/ and reference/
  int in_h_ = 0, in_w_ = 0, channels_ = 0, out_h_ = 0, out_w_ = 0, pad_top_ = 0, pad_left_ = 0;
  // (N, Ho, Wo, C): for each output, where its max came from, as a flat index into that
  // sample's (H, W, C) input. Sized for the largest batch.
  std::vector<int32_t> argmax_;
};

}  // namespace nn::layers
