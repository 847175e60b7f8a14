#include "layers/layer_registry.h"

#include <map>
#include <mutex>

#include "layers/activation_layer.h"
#include "layers/add.h"
#include "layers/batch_norm.h"
#include "layers/concatenate.h"
#include "layers/conv2d.h"
#include "layers/conv2d_transpose.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/flatten.h"
#include "layers/input.h"
#include "layers/leaky_relu.h"
#include "layers/max_pool.h"
#include "layers/reshape.h"
#include "layers/sampling.h"
#include "layers/upsampling.h"
#include "tensor/error.h"

namespace nn {
namespace {

struct Entry {
  std::type_index type;
  LayerFactory factory;
};

// One registry for the program; a user may register from any thread, so a mutex guards it.
struct Registry {
  std::mutex mutex;
  std::map<std::string, Entry> by_name;
};

void add(Registry& r, const std::string& class_name, std::type_index type, LayerFactory factory) {
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.by_name.find(class_name);
  if (it != r.by_name.end()) {
    if (it->second.type == type) return;  // the same class again: nothing to do
    throw ValueError("register_layer: the class name \"" + class_name +
                     "\" is already taken by another layer class; register yours under a name of its own "
                     "(the one its type() returns)");
  }
  r.by_name.emplace(class_name, Entry{type, std::move(factory)});
}

// Registers L into `r` exactly as register_layer<L> does (that one goes through registry()).
template <class L>
void add_builtin(Registry& r, const std::string& class_name) {
  add(r, class_name, typeid(L), layer_factory<L>());
}

Registry& registry() {
  static Registry r;
  // The built-in layers, made from their configs the same way a user's layer is.
  static const bool builtins_added = [] {
    add_builtin<layers::InputLayer>(r, "InputLayer");
    add_builtin<layers::Flatten>(r, "Flatten");
    add_builtin<layers::Dense>(r, "Dense");
    add_builtin<layers::Activation>(r, "Activation");
    add_builtin<layers::Conv2D>(r, "Conv2D");
    add_builtin<layers::BatchNormalization>(r, "BatchNormalization");
    add_builtin<layers::LeakyReLU>(r, "LeakyReLU");
    add_builtin<layers::Dropout>(r, "Dropout");
    add_builtin<layers::MaxPooling2D>(r, "MaxPooling2D");
    add_builtin<layers::Reshape>(r, "Reshape");
    add_builtin<layers::UpSampling2D>(r, "UpSampling2D");
    add_builtin<layers::Conv2DTranspose>(r, "Conv2DTranspose");
    add_builtin<layers::Add>(r, "Add");
    add_builtin<layers::Concatenate>(r, "Concatenate");
    add_builtin<layers::Sampling>(r, "Sampling");
    return true;
  }();
  (void)builtins_added;
  return r;
}

}  // namespace

void register_layer_factory(const std::string& class_name, std::type_index type, LayerFactory factory) {
  if (class_name.empty()) throw ValueError("register_layer: the class name is empty; use the name type() returns");
  add(registry(), class_name, type, std::move(factory));
}

std::shared_ptr<Layer> layer_from_config(const std::string& class_name, const Config& config) {
  LayerFactory factory;
  {
    std::lock_guard<std::mutex> lock(registry().mutex);
    auto it = registry().by_name.find(class_name);
    if (it != registry().by_name.end()) factory = it->second.factory;
  }
  if (!factory) {
    std::string known;
    for (const std::string& name : registered_layer_names()) known += (known.empty() ? "" : ", ") + name;
    throw ValueError("unknown layer class \"" + class_name + "\". If it is a layer of your own, register it before "
                     "loading: nn::register_layer<" + class_name + ">(\"" + class_name + "\"). Registered: " + known);
  }
  return factory(config);  // outside the lock: a from_config may do anything
}

bool is_layer_registered(const std::string& class_name) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return registry().by_name.count(class_name) > 0;
}

std::vector<std::string> registered_layer_names() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry().by_name) names.push_back(name);
  return names;
}

}  // namespace nn
