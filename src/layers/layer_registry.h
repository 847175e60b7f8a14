// Layers by class name, so nn::load_model can rebuild a saved model (Keras's custom
// objects / register_keras_serializable).
//
// config.json names each layer's class ("Dense", "PReLU") and its arguments (layers/config.h).
// To load it, the library must turn the name back into a class: every built-in layer is
// registered already; a layer of your own is registered once, before loading:
//
//   nn::register_layer<PReLU>("PReLU");       // the name its type() returns
//   auto model = nn::load_model("prelu_model.nnz");
//
// The registry builds a layer from its Config with the class's
//   static PReLU from_config(const nn::Config& config)    (Keras's from_config), or, for a
//   class without one, its default constructor (a layer without arguments, like Flatten).
// The built-in layers are registered the same way (src/layers/layer_registry.cpp): the
// two functions there are all it takes.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <typeindex>
#include <vector>

#include "layers/layer.h"

namespace nn {

using LayerFactory = std::function<std::shared_ptr<Layer>(const Config&)>;

// Registers `factory` for `class_name`. Registering the same class under the same name
// again does nothing; a name already taken by another class (a built-in one included)
// is an nn::ValueError.
void register_layer_factory(const std::string& class_name, std::type_index type, LayerFactory factory);

// How the registry makes an L from a Config: L::from_config when L has one, else L().
template <class L>
LayerFactory layer_factory() {
  static_assert(std::is_base_of_v<Layer, L>, "register_layer<L>: L must be a layer (derive from nn::LayerBase<L>)");
  if constexpr (requires(const Config& c) { L::from_config(c); }) {
    return [](const Config& c) -> std::shared_ptr<Layer> { return std::make_shared<L>(L::from_config(c)); };
  } else {
    static_assert(std::is_default_constructible_v<L>,
                  "register_layer<L>: L's constructor takes arguments, so give L a "
                  "`static L from_config(const nn::Config&)` that reads them and calls it");
    return [](const Config&) -> std::shared_ptr<Layer> { return std::make_shared<L>(); };
  }
}

template <class L>
void register_layer(const std::string& class_name) {
  register_layer_factory(class_name, typeid(L), layer_factory<L>());
}

// A new, unbuilt layer of class `class_name` made from `config` (its name is the usual
// fresh one; the loader renames it). An unknown class is an nn::ValueError listing the
// registered ones; errors from from_config or the constructor pass through.
std::shared_ptr<Layer> layer_from_config(const std::string& class_name, const Config& config);

bool is_layer_registered(const std::string& class_name);
std::vector<std::string> registered_layer_names();  // sorted

}  // namespace nn
