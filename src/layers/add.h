// Add — the element-wise sum of several inputs of the same shape (Keras layers.Add), e.g.
// a residual connection y = x + f(x):
//
//   y = x_1 + x_2 + ... + x_m          every x_i and y: (N, ...), one shape
//   dx_i = dy                          each input receives the whole gradient
//
// No weights. The fast path is one pass per input over contiguous memory; the plain one
// (reference/merge.cpp) adds one number at a time, in the same order, so they agree bit for bit.
#pragma once
#include "layers/merge.h"

namespace nn::layers {

class Add : public MergeLayerBase<Add> {
 public:
  Add() : MergeLayerBase("add") {}
  Shape build_inputs(const std::vector<Shape>& in) override;  // m × (...) -> (...)
  // xs[i]: (N, ...) -> y: (N, ...)
  void forward_inputs(const std::vector<const Tensor*>& xs, Tensor& y, bool training) override;
  // dy: (N, ...) -> every dxs[i]: (N, ...)
  void backward_inputs(const Tensor& dy, const std::vector<Tensor*>& dxs) override;
  std::string type() const override { return "Add"; }
  Config get_config() const override { return {}; }  // no arguments: load_model calls Add()
};

}  // namespace nn::layers
