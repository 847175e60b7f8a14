// Concatenate — joins several inputs along one axis (Keras layers.Concatenate(axis=-1)):
// two feature vectors (N, 3) and (N, 5) become one (N, 8); two images (N, H, W, 16) and
// (N, H, W, 32) become (N, H, W, 48) along the channels.
//
// View each input i as (outer, A_i, inner): outer = the product of the dims before the
// axis (batch included), A_i its length along the axis, inner the product after it. Then
//   y[o][off_i + a][k] = x_i[o][a][k]       off_i = A_1 + ... + A_{i-1}
//   dx_i[o][a][k] = dy[o][off_i + a][k]     each input takes its own slice of dy back
// Every other dim must agree. axis counts as in Keras, the batch included: -1 the last,
// 1 the first dim of a sample; 0 (the batch) is not allowed. No weights, no arithmetic:
// the fast path copies blocks of inner·A_i numbers, the plain one (reference/merge.cpp)
// one number at a time.
#pragma once
#include "layers/merge.h"

namespace nn::layers {

class Concatenate : public MergeLayerBase<Concatenate> {
 public:
  explicit Concatenate(int axis = -1);
  Shape build_inputs(const std::vector<Shape>& in) override;  // (.., A_i, ..) -> (.., Σ A_i, ..)
  // xs[i]: (N, ..., A_i, ...) -> y: (N, ..., Σ A_i, ...)
  void forward_inputs(const std::vector<const Tensor*>& xs, Tensor& y, bool training) override;
  // dy: (N, ..., Σ A_i, ...) -> dxs[i]: (N, ..., A_i, ...)
  void backward_inputs(const Tensor& dy, const std::vector<Tensor*>& dxs) override;
  std::string type() const override { return "Concatenate"; }
  Config get_config() const override;
  static Concatenate from_config(const Config& config);
  int axis() const { return axis_; }

 private:
  int axis_;           // as given (Keras counts the batch: -1 last, 1 first of a sample)
  size_t sample_axis_ = 0;  // the axis within one sample's shape, after build
  size_t outer_per_sample_ = 1, inner_ = 1;  // products of the sample dims before / after it
  std::vector<size_t> lengths_;  // A_i
};

}  // namespace nn::layers
