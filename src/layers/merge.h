// The contract for a layer with several inputs (Keras's merge layers: Add, Concatenate;
// and Sampling, which takes z_mean and z_log_var). It extends the one-input contract of
// layers/layer.h, which every other layer keeps unchanged:
//
//   Shape build_inputs(const std::vector<Shape>& in)               required
//   void forward_inputs(const std::vector<const Tensor*>& xs, Tensor& y, bool training)
//   void backward_inputs(const Tensor& dy, const std::vector<Tensor*>& dxs)
//   std::string type() const, get_config(), params() ...           as for any layer
// and derive from MergeLayerBase<YourLayer> so `YourLayer(...)({a, b})` works.
//
// What each call requires and ensures, beyond layer.h's rules for one input:
// build_inputs(in)   in: one shape per input (no batch), in the order the layer was called
//                    with; at least two. Returns the output shape; a set of shapes it cannot
//                    merge is an nn::ShapeError naming them.
// forward_inputs     xs[i]: (N, input_shapes()[i]...), the same N for every i.
// backward_inputs    dxs has one Tensor* per input: each is resized to its x's shape and
//                    OVERWRITTEN with dL/dx_i, unless input_gradient_needed() is false (then
//                    they may be left alone). Param grads are ADDED to, as for every layer.
//
// input_shape() is the first input's shape (what Layer keeps); input_shapes() lists all.
// The one-input build / forward / backward of Layer throw an nn::Error saying to call the
// layer on a list of nodes.
#pragma once
#include <vector>

#include "layers/layer.h"

namespace nn {

class MergeLayer : public Layer {
 public:
  virtual Shape build_inputs(const std::vector<Shape>& input_shapes) = 0;
  virtual void forward_inputs(const std::vector<const Tensor*>& xs, Tensor& y, bool training) = 0;
  virtual void backward_inputs(const Tensor& dy, const std::vector<Tensor*>& dxs) = 0;

  // Builds once on these shapes (as Layer::build_for); a second call must give the same shapes.
  Shape build_for_inputs(const std::vector<Shape>& input_shapes);
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  size_t num_inputs() const { return input_shapes_.size(); }

  // Layer's one-input calls: a merge layer needs its list (see the class comment).
  Shape build(const Shape& input_shape) final;
  void forward(const Tensor& x, Tensor& y, bool training) final;
  void backward(const Tensor& dy, Tensor& dx) final;

 protected:
  using Layer::Layer;
  // Checks every x against the shapes build saw (and that there is one per input, with
  // the same batch size), naming the layer when one does not match.
  void check_inputs(const std::vector<const Tensor*>& xs) const;

 private:
  std::vector<Shape> input_shapes_;
  const std::vector<Shape>* building_ = nullptr;  // the shapes while build_for_inputs runs
};

// CRTP helper, the merge layers' LayerBase: `Add()({a, b})` and clone().
template <class Derived>
class MergeLayerBase : public MergeLayer {
 public:
  using MergeLayer::MergeLayer;
  Node operator()(const std::vector<Node>& inputs) const& {
    return Node::apply(handle_.get([&] { return std::make_shared<Derived>(static_cast<const Derived&>(*this)); }),
                       inputs);
  }
  Node operator()(const std::vector<Node>& inputs) && {
    return Node::apply(
        handle_.get([&] { return std::make_shared<Derived>(std::move(static_cast<Derived&>(*this))); }), inputs);
  }
  std::shared_ptr<Layer> clone() const override {
    return std::make_shared<Derived>(static_cast<const Derived&>(*this));
  }

 private:
  GraphHandle handle_;  // (layers/layer.h) the same graph layer for every call of this object
};

}  // namespace nn
