#include "layers/input.h"

namespace nn::layers {

InputLayer::InputLayer(Shape shape) : LayerBase("input"), shape_(std::move(shape)) {}

Shape InputLayer::build(const Shape& in) {
  if (in.empty() || shape_size(in) == 0)
    throw ShapeError("Input shape " + shape_str(in) + " must have at least one dimension and no zero sizes");
  return in;
}

void InputLayer::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  y = x;
}

void InputLayer::backward(const Tensor& dy, Tensor& dx) { dx = dy; }

Node Input(Shape shape, std::string name) {
  auto layer = std::make_shared<InputLayer>(shape);
  if (!name.empty()) layer->set_name(std::move(name));
  layer->build_for(shape);
  return Node::root(layer, shape);
}

Config InputLayer::get_config() const { return Config().set("shape", shape_); }

InputLayer InputLayer::from_config(const Config& config) { return InputLayer(config.get_shape("shape")); }

}  // namespace nn::layers
