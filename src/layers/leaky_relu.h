// LeakyReLU — relu that lets a little of the negative side through:
//
//   forward   y = x          if x > 0
//             y = alpha · x  otherwise              (Keras's default alpha is 0.3)
//   backward  dx = dy          if y > 0
//             dx = alpha · dy  otherwise            (alpha ≥ 0 keeps the sign, so y tells)
//
// A plain relu unit whose input stays negative gets no gradient and can stop learning for
// good ("dies"); the small slope keeps a gradient flowing. The chapter's CNN puts one after
// every BatchNormalization.
//
// The fast path splits the block over the thread pool and runs the SIMD loops of
// kernels/activations.h; reference mode runs the plain loop of reference/activations.h on
// one thread, so stepping into forward or backward in a debugger shows the formula above.
#pragma once
#include "layers/layer.h"

namespace nn::layers {

class LeakyReLU : public LayerBase<LeakyReLU> {
 public:
  explicit LeakyReLU(float alpha = kLeakyReluAlpha);

  Shape build(const Shape& in) override { return in; }                // any shape, unchanged
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, ...) -> y: same shape
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, ...) -> dx: same shape
  std::string type() const override { return "LeakyReLU"; }
  Config get_config() const override;  // for model.save (layers/config.h)
  static LeakyReLU from_config(const Config& config);  // for nn::load_model
  double forward_flops() const override { return static_cast<double>(shape_size(input_shape())); }

  float alpha() const { return alpha_; }

 private:
  float alpha_;
  const Tensor* y_ = nullptr;  // the forward output: its sign picks the slope in backward
};

}  // namespace nn::layers
