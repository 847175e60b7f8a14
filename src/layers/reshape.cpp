#include "layers/reshape.h"

#include <algorithm>

#include "tensor/error.h"

namespace nn::layers {

Reshape::Reshape(Shape target_shape) : LayerBase("reshape"), target_(std::move(target_shape)) {
  if (target_.empty())
    throw ValueError("Reshape: the target shape is empty; give one sample's shape without the batch, e.g. {4, 4, 128}");
  const auto unknown = std::count(target_.begin(), target_.end(), -1);
  if (unknown > 1)
    throw ValueError("Reshape: the target shape " + shape_str(target_) +
                     " has more than one -1; only one size can be inferred");
  for (int d : target_)
    if (d < 1 && d != -1)
      throw ValueError("Reshape: the target shape " + shape_str(target_) +
                       " has a size below 1; every size must be >= 1, or -1 for one size to infer");
}

Shape Reshape::build(const Shape& in) {
  const size_t have = shape_size(in);
  size_t known = 1;
  for (int d : target_)
    if (d != -1) known *= static_cast<size_t>(d);
  Shape out = target_;
  auto unknown = std::find(out.begin(), out.end(), -1);
  if (unknown != out.end()) {
    if (have % known != 0)
      throw ShapeError("Reshape: cannot reshape an input of shape " + shape_str(in) + " (" + std::to_string(have) +
                       " numbers per sample) into " + shape_str(target_) + ": " + std::to_string(have) +
                       " is not a multiple of " + std::to_string(known) + ", the product of the sizes given");
    *unknown = static_cast<int>(have / known);
  } else if (known != have) {
    throw ShapeError("Reshape: cannot reshape an input of shape " + shape_str(in) + " (" + std::to_string(have) +
                     " numbers per sample) into " + shape_str(target_) + " (" + std::to_string(known) +
                     " numbers); the sizes must multiply to the same count (or use -1 for one of them)");
  }
  return out;
}

void Reshape::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  Shape shape{x.dim(0)};
  shape.insert(shape.end(), output_shape().begin(), output_shape().end());
  y.resize(shape);
  std::copy(x.begin(), x.end(), y.begin());
}

void Reshape::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  Shape shape{dy.dim(0)};
  shape.insert(shape.end(), input_shape().begin(), input_shape().end());
  dx.resize(shape);
  std::copy(dy.begin(), dy.end(), dx.begin());
}

Config Reshape::get_config() const { return Config().set("target_shape", target_); }

Reshape Reshape::from_config(const Config& config) { return Reshape(config.get_shape("target_shape")); }

}  // namespace nn::layers
