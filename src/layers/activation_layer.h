// Activation — applies one activation function on its own, e.g. Activation("relu").
// Dense(150) followed by Activation("relu") computes exactly what Dense(150, "relu") does;
// the chapter shows both spellings. See layers/activations.h for the maths.
// activation_forward / activation_backward choose the path: the fast kernels, or in reference
// mode the plain loops of reference/activations.h, so this layer needs no switch of its own.
#pragma once
#include "layers/layer.h"

namespace nn::layers {

class Activation : public LayerBase<Activation> {
 public:
  explicit Activation(std::string name);
  Shape build(const Shape& in) override { return in; }
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, ...) -> y: same shape
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, ...) -> dx: same shape
  std::string type() const override { return "Activation"; }
  Config get_config() const override;  // for model.save (layers/config.h)
  static Activation from_config(const Config& config);  // for nn::load_model
  std::optional<ActivationKind> output_activation() const override { return kind_; }
  double forward_flops() const override { return static_cast<double>(shape_size(input_shape())); }

 private:
  ActivationKind kind_;
  const Tensor* y_ = nullptr;
};

}  // namespace nn::layers
