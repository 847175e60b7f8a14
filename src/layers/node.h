// nn::Node — a symbolic tensor in the functional API: "the output of this layer, applied
// to that node". It holds no numbers, only the graph and the shape (without the batch),
// so you can write the chapter's model line for line before any data exists:
//   Node input = layers::Input({32, 32, 3});
//   Node x = layers::Flatten()(input);
// Copies are cheap handles to the same graph node.
#pragma once
#include <memory>
#include <vector>

#include "tensor/shape.h"

namespace nn {

class Layer;

class Node {
 public:
  Node() = default;

  const Shape& shape() const;            // without the batch dimension
  Layer& layer() const;                  // the layer that produced this node
  std::shared_ptr<Layer> layer_ptr() const;
  Node input() const;                    // the node this layer was applied to (empty for Input;
                                         // the first one for a layer with several inputs)
  std::vector<Node> inputs() const;      // every node it was applied to, in order (none for Input)
  bool valid() const { return impl_ != nullptr; }
  bool is_input() const;                 // produced by layers::Input
  bool same_as(const Node& other) const { return impl_ == other.impl_; }
  const void* id() const { return impl_.get(); }  // the same for every copy of this node

  // Builds `layer` on input's shape and returns the new node (used by LayerBase).
  static Node apply(std::shared_ptr<Layer> layer, const Node& input);
  // The same for a layer with several inputs (a MergeLayer, layers/merge.h).
  static Node apply(std::shared_ptr<Layer> layer, const std::vector<Node>& inputs);
  // A graph root (used by layers::Input).
  static Node root(std::shared_ptr<Layer> layer, const Shape& shape);

 private:
  struct Impl {
    std::shared_ptr<Layer> layer;
    std::vector<std::shared_ptr<Impl>> inputs;  // empty for an Input
    Shape shape;
  };
  std::shared_ptr<Impl> impl_;
};

}  // namespace nn
