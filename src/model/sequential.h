// nn::Sequential — a model that is a plain list of layers, each feeding the next.
//   Sequential model({layers::Input({784}), layers::Dense(10, "softmax")});
//   model.add(layers::Dense(10));
// Started with an Input, it is built (weights created) at once; otherwise it is built from
// the shape of the first data passed to fit / predict / evaluate.
#pragma once
#include <initializer_list>
#include <memory>
#include <type_traits>

#include "model/model.h"

namespace nn {

// One entry of a Sequential: an Input node, or any layer object (copied in).
class LayerRef {
 public:
  LayerRef(const Node& input);  // NOLINT: implicit on purpose, for the braced list
  template <class L, std::enable_if_t<std::is_base_of_v<Layer, std::decay_t<L>>, int> = 0>
  LayerRef(L&& layer) : layer_(std::make_shared<std::decay_t<L>>(std::forward<L>(layer))) {}  // NOLINT
  explicit LayerRef(std::shared_ptr<Layer> layer);  // a layer made elsewhere (nn::load_model), shared, not copied

  std::shared_ptr<Layer> layer() const { return layer_; }
  bool is_input() const { return is_input_; }

 private:
  std::shared_ptr<Layer> layer_;
  bool is_input_ = false;
};

class Sequential : public Model {
 public:
  Sequential(std::initializer_list<LayerRef> layers = {}, std::string name = "");
  void add(const LayerRef& layer);

 protected:
  void ensure_built(const Tensor& x) override;
  bool show_input_layer_in_summary() const override { return false; }

 private:
  void build_from(std::shared_ptr<Layer> input);
  void add_layer(std::shared_ptr<Layer> layer);  // builds it on the last output, or queues it
  std::vector<std::shared_ptr<Layer>> pending_;  // layers waiting for an input shape
};

}  // namespace nn
