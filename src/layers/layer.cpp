#include "layers/layer.h"

#include <map>
#include <mutex>

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
Layer::Layer(const std::string& base_name) : name_(unique_name(base_name, base_name != "input")) {}

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
  if (impl_) n.impl_ = impl_->input;
  return n;
}
bool Node::is_input() const { return impl_ && !impl_->input; }

Node Node::apply(std::shared_ptr<Layer> layer, const Node& input) {
  if (!input.valid())
    throw Error("layer \"" + layer->name() + "\" was called on an empty Node; start the model with layers::Input(shape)");
  Node n;
  Shape out;
  try {
    out = layer->build_for(input.shape());
  } catch (const ShapeError& e) {
    throw ShapeError("cannot connect layer \"" + layer->name() + "\" (" + layer->type() + ") to the output of \"" +
                     input.layer().name() + "\" with shape " + shape_str(input.shape()) + ": " + e.what());
  }
  n.impl_ = std::make_shared<Impl>(Impl{std::move(layer), input.impl_, out});
  return n;
}

Node Node::root(std::shared_ptr<Layer> layer, const Shape& shape) {
  Node n;
  n.impl_ = std::make_shared<Impl>(Impl{std::move(layer), nullptr, shape});
  return n;
}

}  // namespace nn
