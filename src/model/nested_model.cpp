#include "model/nested_model.h"

#include <algorithm>

#include "tensor/error.h"

namespace nn {

Functional::Functional(const std::vector<Node>& inputs, const std::vector<Node>& outputs, const std::string& name)
    : Layer("functional"), inner_(std::make_shared<Model>(inputs, outputs, name)) {
  set_name(name);
  inner_->set_input_gradient(true);  // the outer model's layers below need dL/dx
}

Shape Functional::build(const Shape& in) {
  if (in != inner_->input_shape())
    throw ShapeError("model \"" + name() + "\" takes inputs of shape " + batch_shape_str(inner_->input_shape()) +
                     ", got " + batch_shape_str(in));
  return inner_->output_shape();
}

void Functional::forward(const Tensor& x, Tensor& y, bool training) {
  check_input(x);
  const Tensor& out = inner_->forward(x, training);
  y.resize(out.shape());
  std::copy(out.begin(), out.end(), y.begin());
}

void Functional::backward(const Tensor& dy, Tensor& dx) {
  inner_->backward_from(dy, input_gradient_needed() ? &dx : nullptr);
}

Config Functional::get_config() const {
  throw Error("model \"" + name() + "\" is a nested model, whose architecture is a whole model's, not a Config of "
              "numbers and strings; model.save writes it (call save on the outer model)");
}

std::shared_ptr<Layer> Functional::clone() const {
  throw Error("model \"" + name() + "\" is called twice inside another model (or copied); nnscratch nests a model "
              "once per outer model today. Call it once, or build a second model for the second call");
}

int first_node_index(const Layer& layer) { return dynamic_cast<const Functional*>(&layer) ? 1 : 0; }

std::vector<std::shared_ptr<Layer>> flatten_nested(const std::vector<std::shared_ptr<Layer>>& layers) {
  std::vector<std::shared_ptr<Layer>> out;
  for (const auto& layer : layers) {
    if (auto* nested = dynamic_cast<Functional*>(layer.get())) {
      for (auto& inner : flatten_nested(nested->model().layers())) out.push_back(inner);
    } else {
      out.push_back(layer);
    }
  }
  return out;
}

Node Model::operator()(const Node& input) {
  if (num_inputs() != 1 || num_outputs() != 1)
    throw Error("model \"" + name_ + "\" has " + std::to_string(num_inputs()) + " input(s) and " +
                std::to_string(num_outputs()) + " outputs, and nnscratch calls a model on a node only when it has one "
                "of each. Build the outer model from this model's own nodes instead, e.g. "
                "Model(encoder_input, decoder(z)) with z one of the encoder's output nodes: the layers are shared");
  if (!nested_) nested_ = std::make_shared<Functional>(input_nodes_, output_nodes_, name_);
  return Node::apply(nested_, input);
}

}  // namespace nn
