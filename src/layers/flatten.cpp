#include "layers/flatten.h"

#include <algorithm>

namespace nn::layers {

Shape Flatten::build(const Shape& in) { return {static_cast<int>(shape_size(in))}; }

void Flatten::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  y.resize({x.dim(0), output_shape()[0]});
  std::copy(x.begin(), x.end(), y.begin());
}

void Flatten::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  Shape shape{dy.dim(0)};
  shape.insert(shape.end(), input_shape().begin(), input_shape().end());
  dx.resize(shape);
  std::copy(dy.begin(), dy.end(), dx.begin());
}

}  // namespace nn::layers
