// A model called on a node, like a layer: `Node recon = decoder(encoder_output)`, so models
// nest (Keras: a Model is a Layer). The call puts one Functional layer into the outer graph;
// it runs the inner model's own layer objects, so training the outer model trains the inner
// one's weights (the book's autoencoder trains, then the decoder alone draws). summary()
// shows it as one row, type "Functional", with all its parameters.
//
//   forward   y = inner.forward(x)        x: (N, inner input...) -> y: (N, inner output...)
//   backward  the inner model's backward from dy, down to dx at its input
// Weights files and checkpoints name a nested model's weights (and a Dropout's generator in
// it) by its own layers ("dense_3/kernel"), as the inner model's save_weights does; model.save
// writes its architecture as Keras does, a layer whose config is the inner model's
// (model/model_config.h), and load_model makes it a Functional layer again, reachable by
// name: dynamic_cast<nn::Functional&>(model->get_layer("decoder")).model() is the decoder.
// export_onnx writes its layers into the outer graph (model/onnx_export.h).
// Not yet: calling the same model twice inside another.
#pragma once
#include <memory>
#include <vector>

#include "model/model.h"

namespace nn {

class Functional : public Layer {
 public:
  Functional(const std::vector<Node>& inputs, const std::vector<Node>& outputs, const std::string& name);
  Shape build(const Shape& in) override;                              // the inner input -> its output
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, ...) -> y: (N, ...)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, out...) -> dx: (N, in...)
  std::string type() const override { return "Functional"; }
  std::vector<Param*> params() override { return inner_->params(); }
  // An nn::Error: a Config holds numbers and strings, not a model; model.save writes a nested
  // model's whole architecture itself (model/model_file.cpp).
  Config get_config() const override;
  std::shared_ptr<Layer> clone() const override;  // not yet: an nn::Error saying so
  Model& model() { return *inner_; }

 private:
  std::shared_ptr<Model> inner_;  // the same layer objects as the model that was called
};

// Keras's node index of a layer's first call ([layer, node_index, tensor_index] in config.json
// and summary): 1 for a nested model, whose node 0 in Keras is the model's own link from its
// inputs to its outputs; 0 for any other layer.
int first_node_index(const Layer& layer);

// `layers` with each nested model replaced by its own layers, recursively, in order: the
// layers that hold the weights, and the Dropout generators, which files store by name.
std::vector<std::shared_ptr<Layer>> flatten_nested(const std::vector<std::shared_ptr<Layer>>& layers);

}  // namespace nn
