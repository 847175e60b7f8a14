// Flatten — turns each sample into one long vector: (N, H, W, C) -> (N, H·W·C).
// Row-major storage means the numbers are already in that order, so forward and backward
// are plain copies with a new shape; no arithmetic happens here.
// A copy is already as plain as code gets, so Flatten is its own reference: reference mode
// runs this same code.
#pragma once
#include "layers/layer.h"

namespace nn::layers {

class Flatten : public LayerBase<Flatten> {
 public:
  Flatten() : LayerBase("flatten") {}
  Shape build(const Shape& in) override;                              // (H, W, C) -> (H·W·C)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, ...) -> y: (N, D)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, D) -> dx: (N, ...)
  std::string type() const override { return "Flatten"; }
  Config get_config() const override { return {}; }  // no arguments: load_model calls Flatten()
};

}  // namespace nn::layers
