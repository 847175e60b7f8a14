// Reshape — gives each sample a new shape with the same numbers in the same order:
// (N, d1, ..., dk) -> (N, t1, ..., tm) with d1·…·dk = t1·…·tm. The target shape excludes the
// batch, as Keras's Reshape((4, 4, 128)); one of its sizes may be -1, meaning "whatever is
// left" (Reshape({-1, 8}) on 32 numbers gives (4, 8)).
//
//   forward   y = x, read as the new shape       (row-major: the same numbers in the same order)
//   backward  dx = dy, read as the input's shape
//
// Like Flatten it only copies, so it is its own reference: reference mode runs this code.
// A decoder uses it to turn a Dense layer's vector back into a small image, (2048) ->
// (4, 4, 128), that Conv2DTranspose layers then make larger.
#pragma once
#include "layers/layer.h"

namespace nn::layers {

class Reshape : public LayerBase<Reshape> {
 public:
  // target_shape: one sample's new shape; sizes >= 1, at most one -1 (inferred at build).
  explicit Reshape(Shape target_shape);
  Shape build(const Shape& in) override;                              // (d1, ..., dk) -> (t1, ..., tm)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, d...) -> y: (N, t...)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, t...) -> dx: (N, d...)
  std::string type() const override { return "Reshape"; }
  Config get_config() const override;                 // {"target_shape": [...]}, the -1 kept
  static Reshape from_config(const Config& config);  // for nn::load_model
  const Shape& target_shape() const { return target_; }

 private:
  Shape target_;  // as given, possibly with a -1
};

}  // namespace nn::layers
