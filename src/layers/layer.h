// The layer contract. Every layer is a small class that knows three things:
//   build     — given the shape of one input sample, create the weights, return the output shape
//   forward   — compute y from x (and keep whatever backward will need)
//   backward  — given dL/dy, compute dL/dx and ADD dL/dparam into each parameter's grad
//
// Override checklist for a new layer (see tutorials/exercises/ for worked examples):
//   Shape build(const Shape& in)                          required
//   void forward(const Tensor& x, Tensor& y, bool training)  required
//   void backward(const Tensor& dy, Tensor& dx)           required
//   std::string type() const                              required ("Dense", shown by summary)
//   std::vector<Param*> params()                          if the layer has weights
//   double forward_flops() const                          optional, for summary({.explain=true})
//   std::string explain_params() const                    optional, the arithmetic of the count
//   Config get_config() const                             for model.save: the constructor arguments
//   static YourLayer from_config(const Config&)           for nn::load_model, if the constructor
//                                                          takes arguments (see layers/layer_registry.h)
// and derive from LayerBase<YourLayer> so `YourLayer(...)(x)` works in the functional API.
//
// Shapes given to build() exclude the batch dimension, as in Keras: a Dense layer on a
// batch of flattened images sees in = (3072) while the tensors are (N, 3072).
//
// What each call requires and ensures (tests/test_conformance.cpp checks every built-in
// layer and the exercise solutions against this list):
//
// build(in)
//   requires  called once, before any forward (build_for does this and remembers shapes).
//   ensures   every Param has value and grad of the same shape, grads zero; weights drawn
//             from global_rng() (so nn::set_seed makes them reproducible); returns the
//             output shape of one sample. A shape the layer cannot take is an nn::ShapeError
//             saying what it expected.
// forward(x, y, training)
//   requires  x: (N, input_shape()...), any N >= 1 (the last batch of an epoch is smaller).
//   ensures   y resized to (N, output_shape()...) and fully written (y's old contents are
//             never read). The layer may keep pointers to x and y (not copies) for backward:
//             they stay valid until the next forward, as the model keeps both alive.
//             `training` picks the behaviour (Dropout drops, BatchNormalization uses batch
//             statistics); state it changes (moving statistics) lives in non-trainable
//             Params, so the NaN guard can undo it and checkpoints save it.
// backward(dy, dx)
//   requires  the forward just before it on this layer (backward follows that forward's
//             mode, training or not, and its path, reference or fast: switching reference
//             mode in between must not break it); dy: the shape of that forward's y.
//   ensures   every trainable param's grad has dL/dparam ADDED to it (the optimizer zeroes
//             grads after its step; two backward calls add twice), and this is done even
//             when input_gradient_needed() is false. When input_gradient_needed() is true,
//             dx is resized to x's shape and OVERWRITTEN with dL/dx (a reused dx buffer
//             holds the last batch's numbers: never add into it); when false, dx may be
//             left untouched. dy is not modified.
// type()      the Keras class name, shown by summary() ("Dense").
// params()    the same Param objects every call, in Keras's order; a param's name becomes
//             its weight-file key ("<layer name>/<param name>", e.g. "dense/kernel").
//             trainable = false for state the optimizer must leave alone.
// get_config()  the arguments that rebuild this layer (layers/config.h), as Keras's
//             get_config: from_config(get_config()) builds an equal layer, before its weights.
//             Not the name (model.save records it) and not the weights (saved as in
//             save_weights). The default throws an nn::Error saying what to override.
// clone()     (LayerBase provides it) an independent copy: changing one's weights never
//             changes the other's.
// output_activation()  a layer that ends in an activation (Dense, Conv2D, Activation) says
//             which. When the loss works from the logits (softmax or sigmoid + a
//             cross-entropy, see losses/loss.h), the model calls set_logits_output(true) on
//             its output layer: forward then stops at z, the input of the activation, and
//             writes z as its output (the model applies the activation itself, keeping z for
//             the loss), and backward receives dL/dz and skips the activation's backward.
// added_loss()  (optional) a term the layer adds to the model's loss: its value after
//             forward, its gradient included in backward's dx (see the declaration below).
// Threads     a layer may split its work over the thread pool (kernels/thread_pool.h), but
//             its results must not depend on the thread count: sums over the batch go in
//             chunks fixed by the shape, added in a fixed order (kernels/parallel.h).
// Reference   a built-in layer also has a plain path (src/reference/), taken when
//             nn::reference_mode() is on; it must agree with the fast path to float rounding
//             and draw the same random numbers. A layer of your own without one is fine:
//             its forward and backward are then both paths.
// Inputs that take no gradient (class ids, masks): such an input's layer is placed first
//             after Input (or behind layers without weights), where the model sets
//             input_gradient_needed() false, and leaves dx alone.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "layers/activations.h"
#include "layers/config.h"
#include "layers/node.h"
#include "tensor/rng.h"
#include "tensor/tensor.h"

namespace nn {

// A weight tensor and its gradient, side by side.
struct Param {
  std::string name;  // "kernel", "bias", "gamma", "moving_mean", ...
  Tensor value;
  Tensor grad;  // same shape as value; backward adds into it, the optimizer zeroes it
  bool trainable = true;
};

class Layer {
 public:
  virtual ~Layer() = default;

  virtual Shape build(const Shape& input_shape) = 0;
  virtual void forward(const Tensor& x, Tensor& y, bool training) = 0;
  virtual void backward(const Tensor& dy, Tensor& dx) = 0;
  virtual std::string type() const = 0;
  virtual std::vector<Param*> params() { return {}; }
  virtual double forward_flops() const { return 0.0; }  // per sample, multiply-add = 2
  virtual std::string explain_params() const { return ""; }
  virtual Config get_config() const;  // for model.save; see the contract above
  virtual std::shared_ptr<Layer> clone() const = 0;
  // A layer that draws random numbers while training (Dropout) returns its generator, so
  // a checkpoint can save where its stream is and a resumed run continue it exactly.
  virtual Rng* random_generator() { return nullptr; }
  // A layer may add a term to the model's loss (Keras's Layer.add_loss), as Sampling adds
  // the KL divergence. added_loss_name() is the term's name in the logs ("kl_loss"), ""
  // for a layer that adds none (most layers); added_loss() its value for the batch of the
  // last forward pass (training or not: Keras counts added losses in evaluate too). The
  // model adds the values into the loss it reports and trains on; the gradient is the
  // layer's part: its backward ADDS d(term)/dx into what it writes to dx (and d(term)/dθ
  // into its grads), on top of what dy brings.
  virtual std::string added_loss_name() const { return ""; }
  virtual float added_loss() const { return 0.0f; }

  // The activation this layer applies last, if it has one (Dense, Conv2D, Activation). The
  // model uses it for a cross-entropy from the logits (losses/loss.h): a value no clipping
  // caps and one stable gradient, p - y.
  virtual std::optional<ActivationKind> output_activation() const { return std::nullopt; }
  // When true, forward outputs z (the activation's input, the logits) instead of y = f(z),
  // and backward receives dL/dz instead of dL/dy: the model applies f itself.
  void set_logits_output(bool on) { logits_output_ = on; }
  bool logits_output() const { return logits_output_; }

  // Builds once, remembering the shapes (what the model and summary() read).
  Shape build_for(const Shape& input_shape);
  bool built() const { return built_; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Whether backward must compute dx: the model turns it off for every layer with no
  // weights below it (nobody would use that dx), e.g. the first layer after Input, or the
  // first Dense behind a Flatten; the model then runs no backward below such a layer.
  void set_input_gradient_needed(bool needed) { input_gradient_needed_ = needed; }
  bool input_gradient_needed() const { return input_gradient_needed_; }

  size_t count_params(bool trainable_only = false);

 protected:
  // base: Keras's snake_case name for the type ("dense"); a counter makes it unique.
  // A name given by the user (Keras's name="z_mean") is taken as it is and uses no count.
  explicit Layer(const std::string& base_name, const std::string& given_name = "");
  // Checks x's shape against what build() saw, naming the layer when it does not match.
  void check_input(const Tensor& x) const;

  bool logits_output_ = false;
  bool input_gradient_needed_ = true;

 private:
  std::string name_;
  Shape input_shape_, output_shape_;
  bool built_ = false;
};

// Keras-style unique names: "dense", "dense_1", "dense_2", ... (inputs start at "input_1").
std::string unique_name(const std::string& base, bool zero_based = true);
// Forget the counters (Keras: clear_session), so the next Dense is "dense" again.
void reset_layer_names();

// The layer a named layer object puts into the graph when called: made by its first call,
// reused by every later one, so `Dense d(4); h = d(a); h = d(h);` is ONE layer called twice
// (shared weights, as in Keras). A copy of the object (clone, or passing it by value)
// starts without one: it is a new layer.
class GraphHandle {
 public:
  GraphHandle() = default;
  GraphHandle(const GraphHandle&) {}
  GraphHandle& operator=(const GraphHandle&) { layer_.reset(); return *this; }
  template <class Make>
  std::shared_ptr<Layer> get(Make&& make) const {
    if (!layer_) layer_ = make();
    return layer_;
  }

 private:
  mutable std::shared_ptr<Layer> layer_;
};

// CRTP helper: gives every layer type `Node operator()(const Node&)` and clone().
// Calling a layer copies it into a shared_ptr owned by the graph, so a temporary like
// Dense(200, "relu")(x) never dangles; calling the same object again calls that same
// graph layer again (GraphHandle above).
template <class Derived>
class LayerBase : public Layer {
 public:
  using Layer::Layer;
  Node operator()(const Node& input) const& {
    return Node::apply(handle_.get([&] { return std::make_shared<Derived>(static_cast<const Derived&>(*this)); }),
                       input);
  }
  Node operator()(const Node& input) && {
    return Node::apply(handle_.get([&] { return std::make_shared<Derived>(std::move(static_cast<Derived&>(*this))); }),
                       input);
  }
  std::shared_ptr<Layer> clone() const override {
    return std::make_shared<Derived>(static_cast<const Derived&>(*this));
  }

 private:
  GraphHandle handle_;
};

}  // namespace nn
