// Dense — the fully connected layer: every output unit is a weighted sum of every input.
//
//   forward   z = x·W + b          x: (N, D)  W: (D, K)  b: (K)  z: (N, K)
//             y = f(z)             f = the activation given to the constructor
//   backward  dz = f'(z) ⊙ dy      (computed from y, see layers/activations.h)
//             dW += xᵀ·dz          (D, K): each weight's share of the error
//             db += Σ_batch dz     (K)
//             dx  = dz·Wᵀ          (N, D): the error handed to the layer below
//
// W is stored (inputs, units) as Keras stores it, so get_weights() matches Keras.
// Initial weights: glorot_uniform, U(-l, l) with l = sqrt(6 / (D + K)), which keeps the
// variance of activations roughly constant from layer to layer; biases start at zero.
#pragma once
#include "layers/layer.h"

namespace nn::layers {

class Dense : public LayerBase<Dense> {
 public:
  // name "": Keras's unique name ("dense", "dense_1", ...); else that name (Keras's name=).
  explicit Dense(int units, std::string activation = "linear", const std::string& name = "");

  Shape build(const Shape& in) override;                              // (D) -> (K)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, D) -> y: (N, K)
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, K) -> dx: (N, D)
  std::string type() const override { return "Dense"; }
  Config get_config() const override;  // for model.save (layers/config.h)
  static Dense from_config(const Config& config);  // for nn::load_model
  std::vector<Param*> params() override { return {&kernel_, &bias_}; }
  double forward_flops() const override;
  std::string explain_params() const override;
  std::optional<ActivationKind> output_activation() const override { return activation_; }

  int units() const { return units_; }
  Param& kernel() { return kernel_; }
  Param& bias() { return bias_; }

 private:
  int units_;
  ActivationKind activation_;
  Param kernel_{"kernel", {}, {}, true};
  Param bias_{"bias", {}, {}, true};
  const Tensor* x_ = nullptr;  // the forward input, kept (not copied) for dW = xᵀ·dz
  const Tensor* y_ = nullptr;  // the forward output, for f'(z) computed from y
  Tensor dz_;                  // (N, K) scratch, sized for the largest batch
};

}  // namespace nn::layers
