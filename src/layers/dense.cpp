#include "layers/dense.h"

#include <cmath>

#include "kernels/column_sums.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "reference/dense.h"
#include "reference/mode.h"
#include "tensor/rng.h"

namespace nn::layers {

Dense::Dense(int units, std::string activation, const std::string& name)
    : LayerBase("dense", name), units_(units), activation_(activation_from_name(activation)) {
  if (units < 1) throw ValueError("Dense: units must be >= 1, got " + std::to_string(units));
}

Shape Dense::build(const Shape& in) {
  if (in.size() != 1)
    throw ShapeError("Dense expects each sample to be a vector (D), got " + shape_str(in) +
                     "; put a Flatten layer before it");
  const int d = in[0];
  kernel_.value = Tensor({d, units_});
  kernel_.grad = Tensor({d, units_});
  bias_.value = Tensor({units_});
  bias_.grad = Tensor({units_});
  const float limit = std::sqrt(6.0f / static_cast<float>(d + units_));
  Rng& rng = global_rng();
  for (float& w : kernel_.value) w = rng.uniform(-limit, limit);
  return {units_};
}

void Dense::forward(const Tensor& x, Tensor& y, bool) {
  check_input(x);
  const int n = x.dim(0), d = input_shape()[0];
  y.resize({n, units_});
  x_ = &x;
  y_ = &y;
  if (reference_mode()) {  // the plain loops of src/reference/
    ref::dense_forward(x.data(), kernel_.value.data(), bias_.value.data(), y.data(), n, d, units_);
  } else {
    // z = x·W  (N×D times D×K), then + b, in place on y.
    sgemm(false, false, n, units_, d, 1.0f, x.data(), d, kernel_.value.data(), units_, 0.0f, y.data(), units_);
    add_row_vector(y.data(), bias_.value.data(), n, units_);
  }
  // y = f(z), in place; unless the model takes the logits (set_logits_output): then z is
  // this layer's output and the model applies f, keeping z for the loss.
  if (!logits_output_) activation_forward(activation_, y.data(), y.data(), n, units_);
}

void Dense::backward(const Tensor& dy, Tensor& dx) {
  const int n = dy.dim(0), d = input_shape()[0];
  // dz = f'(z) ⊙ dy. When the loss already handed us dL/dz (a cross-entropy from the
  // logits), there is nothing to undo.
  const Tensor* dz = &dy;
  if (!logits_output_ && activation_ != ActivationKind::linear) {
    dz_.resize({n, units_});
    activation_backward(activation_, y_->data(), dy.data(), dz_.data(), n, units_);
    dz = &dz_;
  }
  if (reference_mode()) {  // the plain loops of src/reference/, one formula each
    ref::dense_weight_grad(x_->data(), dz->data(), kernel_.grad.data(), n, d, units_);
    ref::dense_bias_grad(dz->data(), bias_.grad.data(), n, units_);
    if (!input_gradient_needed()) return;
    dx.resize({n, d});
    ref::dense_input_grad(dz->data(), kernel_.value.data(), dx.data(), n, d, units_);
    return;
  }
  // dW += xᵀ·dz  (D×N times N×K): beta = 1 adds to what is already there.
  sgemm(true, false, d, units_, n, 1.0f, x_->data(), d, dz->data(), units_, 1.0f, kernel_.grad.data(), units_);
  add_column_sums(dz->data(), n, units_, units_, bias_.grad.data());
  if (!input_gradient_needed()) return;
  // dx = dz·Wᵀ  (N×K times K×D)
  dx.resize({n, d});
  sgemm(false, true, n, d, units_, 1.0f, dz->data(), units_, kernel_.value.data(), units_, 0.0f, dx.data(), d);
}

double Dense::forward_flops() const { return 2.0 * input_shape()[0] * units_ + units_; }

std::string Dense::explain_params() const {
  return std::to_string(units_) + " units × (" + std::to_string(input_shape()[0]) + " inputs + 1 bias)";
}

Config Dense::get_config() const { return Config().set("units", units_).set("activation", activation_name(activation_)); }

Dense Dense::from_config(const Config& config) { return Dense(config.get_int("units"), config.get_string("activation")); }

}  // namespace nn::layers
