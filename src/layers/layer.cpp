#include "layers/layer.h"

#include <map>
#include <mutex>

#include "layers/merge.h"
#include "tensor/error.h"

namespace nn {
namespace {

std::mutex g_names_mutex;
std::map<std::string, int>& name_counters() {
  static std::map<std::string, int> counters;
  return counters;
}

}  // namespace

std::string unique_name(const std::string& base, bool zero_based) {
  std::lock_guard<std::mutex> lock(g_names_mutex);
  int& count = name_counters()[base];
  int n = count++;
  if (!zero_based) ++n;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

void reset_layer_names() {
  std::lock_guard<std::mutex> lock(g_names_mutex);
  name_counters().clear();
}

// Keras numbers inputs from 1 ("input_1") and every other layer from 0 ("dense", "dense_1").
Layer::Layer(const std::string& base_name, const std::string& given_name)
    : name_(given_name.empty() ? unique_name(base_name, base_name != "input") : given_name) {}

Shape Layer::build_for(const Shape& input_shape) {
  if (built_) {
    if (input_shape != input_shape_)
      throw ShapeError("layer \"" + name_ + "\" was built for input shape " + shape_str(input_shape_) +
                       " and cannot be reused on shape " + shape_str(input_shape));
    return output_shape_;
  }
  output_shape_ = build(input_shape);
  input_shape_ = input_shape;
  built_ = true;
  return output_shape_;
}

void Layer::check_input(const Tensor& x) const {
  bool ok = x.rank() == static_cast<int>(input_shape_.size()) + 1;
  for (size_t i = 0; ok && i < input_shape_.size(); ++i) ok = x.shape()[i + 1] == input_shape_[i];
  if (!ok)
    throw ShapeError("layer \"" + name_ + "\" (" + type() + ") expected input of shape " +
                     batch_shape_str(input_shape_) + ", got " + shape_str(x.shape()));
}

Config Layer::get_config() const {
  throw Error("layer \"" + name_ + "\" (" + type() + ") cannot be saved: the class " + type() +
              " does not say how to rebuild it. Give it\n"
              "  nn::Config get_config() const override   returning its constructor arguments, e.g.\n"
              "      return nn::Config().set(\"alpha\", alpha_);   (or nn::Config() when it takes none)\n"
              "and, if its constructor takes arguments, a  static " + type() + " from_config(const nn::Config&)  that "
              "calls it; then nn::register_layer<" + type() + ">(\"" + type() + "\") before nn::load_model "
              "(see src/layers/layer_registry.h)");
}

size_t Layer::count_params(bool trainable_only) {
  size_t n = 0;
  for (Param* p : params())
    if (!trainable_only || p->trainable) n += p->value.size();
  return n;
}

// ---- Node ----

const Shape& Node::shape() const {
  if (!impl_) throw Error("this Node is empty: create it with layers::Input(shape) or by calling a layer on a node");
  return impl_->shape;
}
Layer& Node::layer() const { return *layer_ptr(); }
std::shared_ptr<Layer> Node::layer_ptr() const {
  if (!impl_) throw Error("this Node is empty: create it with layers::Input(shape) or by calling a layer on a node");
  return impl_->layer;
}
Node Node::input() const {
  Node n;
  if (impl_ && !impl_->inputs.empty()) n.impl_ = impl_->inputs.front();
  return n;
}
std::vector<Node> Node::inputs() const {
  std::vector<Node> all;
  if (!impl_) return all;
  for (const auto& in : impl_->inputs) {
    all.emplace_back();
    all.back().impl_ = in;
  }
  return all;
}
bool Node::is_input() const { return impl_ && impl_->inputs.empty(); }

Node Node::apply(std::shared_ptr<Layer> layer, const Node& input) {
  if (!input.valid())
    throw Error("layer \"" + layer->name() + "\" was called on an empty Node; start the model with layers::Input(shape)");
  if (dynamic_cast<MergeLayer*>(layer.get()))
    throw Error("layer \"" + layer->name() + "\" (" + layer->type() + ") merges several inputs: call it on a list "
                "of nodes, e.g. layers::" + layer->type() + "()({a, b})");
  Node n;
  Shape out;
  try {
    out = layer->build_for(input.shape());
  } catch (const ShapeError& e) {
    throw ShapeError("cannot connect layer \"" + layer->name() + "\" (" + layer->type() + ") to the output of \"" +
                     input.layer().name() + "\" with shape " + shape_str(input.shape()) + ": " + e.what());
  }
  n.impl_ = std::make_shared<Impl>(Impl{std::move(layer), {input.impl_}, out});
  return n;
}

Node Node::apply(std::shared_ptr<Layer> layer, const std::vector<Node>& inputs) {
  auto* merge = dynamic_cast<MergeLayer*>(layer.get());
  if (!merge) {
    if (inputs.size() == 1) return apply(std::move(layer), inputs.front());
    throw Error("layer \"" + layer->name() + "\" (" + layer->type() + ") takes one input, but was called on " +
                std::to_string(inputs.size()) + " nodes; merge them first, e.g. with layers::Concatenate()({a, b})");
  }
  std::vector<Shape> shapes;
  std::vector<std::shared_ptr<Impl>> impls;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].valid())
      throw Error("layer \"" + layer->name() + "\" was called on an empty Node (input " + std::to_string(i) +
                  "); start the model with layers::Input(shape)");
    shapes.push_back(inputs[i].shape());
    impls.push_back(inputs[i].impl_);
  }
  Shape out;
  try {
    out = merge->build_for_inputs(shapes);
  } catch (const ShapeError& e) {
    std::string from;
    for (const Node& in : inputs) from += (from.empty() ? "\"" : ", \"") + in.layer().name() + "\" " + shape_str(in.shape());
    throw ShapeError("cannot connect layer \"" + layer->name() + "\" (" + layer->type() + ") to the outputs of " + from +
                     ": " + e.what());
  }
  Node n;
  n.impl_ = std::make_shared<Impl>(Impl{std::move(layer), std::move(impls), out});
  return n;
}

Node Node::root(std::shared_ptr<Layer> layer, const Shape& shape) {
  Node n;
  n.impl_ = std::make_shared<Impl>(Impl{std::move(layer), {}, shape});
  return n;
}

}  // namespace nn
