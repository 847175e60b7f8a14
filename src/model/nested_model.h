// A model called on a node, like a layer: `Node recon = decoder(encoder_output)`, so models
// nest (Keras: a Model is a Layer). The call puts one Functional layer into the outer graph;
// it runs the inner model's own layer objects, so training the outer model trains the inner
// one's weights (the book's autoencoder trains, then the decoder alone draws). summary()
// shows it as one row, type "Functional", with all its parameters.
//
//   forward   y = inner.forward(x)        x: (N, inner input...) -> y: (N, inner output...)
//   backward  the inner model's backward from dy, down to dx at its input
// Weights files name a nested model's weights by its own layers ("dense_3/kernel"), as the
// inner model's save_weights does. Not yet: calling the same model twice inside another,
// and model.save of a model that nests another (save_weights works).
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
  Config get_config() const override;  // not yet: an nn::Error saying so
  std::shared_ptr<Layer> clone() const override;  // not yet: an nn::Error saying so
  Model& model() { return *inner_; }

 private:
  std::shared_ptr<Model> inner_;  // the same layer objects as the model that was called
};

}  // namespace nn
