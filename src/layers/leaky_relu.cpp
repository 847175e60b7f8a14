#include "layers/leaky_relu.h"

#include <cmath>

#include "kernels/activations.h"
#include "reference/activations.h"
#include "reference/mode.h"

namespace nn::layers {

LeakyReLU::LeakyReLU(float alpha) : LayerBase("leaky_re_lu"), alpha_(alpha) {
  // A negative alpha would flip the sign of negative inputs, and backward could no longer
  // read the slope from y alone; Keras rejects it too.
  if (!(alpha >= 0.0f) || !std::isfinite(alpha))
    throw ValueError("LeakyReLU: alpha must be a number >= 0 (Keras uses 0.3), got " + std::to_string(alpha));
}

void LeakyReLU::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  y.resize(x.shape());
  y_ = &y;
  if (reference_mode()) {  // the plain loop, one number after another on this thread
    ref::activation_forward(ActivationKind::leaky_relu, x.data(), y.data(), x.size(), 1, alpha_);
    return;
  }
  leaky_relu_forward(x.data(), y.data(), x.size(), alpha_);  // kernels/activations.h
}

void LeakyReLU::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  dx.resize(dy.shape());
  if (reference_mode()) {  // the plain loop, one number after another on this thread
    ref::activation_backward(ActivationKind::leaky_relu, y_->data(), dy.data(), dx.data(), dy.size(), 1, alpha_);
    return;
  }
  leaky_relu_backward(y_->data(), dy.data(), dx.data(), dy.size(), alpha_);
}

Config LeakyReLU::get_config() const { return Config().set("alpha", alpha_); }

LeakyReLU LeakyReLU::from_config(const Config& config) { return LeakyReLU(config.get_float("alpha")); }

}  // namespace nn::layers
