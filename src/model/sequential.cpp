#include "model/sequential.h"

#include "layers/input.h"

namespace nn {

LayerRef::LayerRef(const Node& input) : layer_(input.layer_ptr()), is_input_(true) {
  if (!input.is_input())
    throw Error("Sequential takes layers, or an Input node as its first entry; \"" + input.layer().name() +
                "\" is the output of another layer");
}

LayerRef::LayerRef(std::shared_ptr<Layer> layer) : layer_(std::move(layer)) {
  if (!layer_) throw Error("Sequential: a null layer cannot be added");
}

Sequential::Sequential(std::initializer_list<LayerRef> layers, std::string name)
    : Model(name.empty() ? unique_name("sequential") : std::move(name)) {
  bool first = true;
  for (const LayerRef& ref : layers) {
    if (ref.is_input() && !first) throw Error("Sequential: an Input can only be the first entry");
    if (ref.is_input())
      build_from(ref.layer());
    else
      add(ref);
    first = false;
  }
}

void Sequential::add(const LayerRef& ref) {
  if (ref.is_input()) {
    if (built() || !pending_.empty()) throw Error("Sequential::add: an Input can only be the first entry");
    build_from(ref.layer());
    return;
  }
  add_layer(ref.layer());
}

void Sequential::add_layer(std::shared_ptr<Layer> layer) {
  if (!built()) {
    pending_.push_back(layer);
    return;
  }
  auto layers = this->layers();
  const Layer& previous = *layers.back();
  try {
    layer->build_for(previous.output_shape());
  } catch (const ShapeError& e) {
    throw ShapeError("cannot add layer \"" + layer->name() + "\" (" + layer->type() + ") after \"" +
                     previous.name() + "\" with output shape " + shape_str(previous.output_shape()) + ": " +
                     e.what());
  }
  layers.push_back(layer);
  set_layers(std::move(layers));
}

void Sequential::build_from(std::shared_ptr<Layer> input) {
  set_layers({input});
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& layer : pending) add_layer(layer);
}

void Sequential::ensure_built(const Tensor& x) {
  if (built()) return;
  if (pending_.empty()) throw Error("Sequential model \"" + name() + "\" has no layers: add some first");
  if (x.rank() < 2)
    throw ShapeError("Sequential model \"" + name() + "\": cannot infer the input shape from data of shape " +
                     shape_str(x.shape()) + "; expected (N, features...)");
  Shape sample(x.shape().begin() + 1, x.shape().end());
  build_from(layers::Input(sample).layer_ptr());
}

}  // namespace nn
