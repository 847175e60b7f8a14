#include "layers/activation_layer.h"

#include <algorithm>

namespace nn::layers {

Activation::Activation(std::string name) : LayerBase("activation"), kind_(activation_from_name(name)) {}

// Softmax normalises over the last axis; the other activations do not care about shape.
static size_t last_axis(const Tensor& t) { return static_cast<size_t>(t.dim(-1)); }

void Activation::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  y.resize(x.shape());
  y_ = &y;
  if (logits_output_) {  // the model applies the activation itself and keeps x, the logits
    std::copy(x.begin(), x.end(), y.begin());
    return;
  }
  activation_forward(kind_, x.data(), y.data(), x.size() / last_axis(x), last_axis(x));
}

void Activation::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  dx.resize(dy.shape());
  if (logits_output_) {  // dy is dL/dz already
    std::copy(dy.begin(), dy.end(), dx.begin());
    return;
  }
  activation_backward(kind_, y_->data(), dy.data(), dx.data(), dy.size() / last_axis(dy), last_axis(dy));
}

Config Activation::get_config() const { return Config().set("activation", activation_name(kind_)); }

Activation Activation::from_config(const Config& config) { return Activation(config.get_string("activation")); }

}  // namespace nn::layers
