#include "layers/dropout.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise.h"
#include "reference/dropout.h"
#include "reference/mode.h"

namespace nn::layers {

Dropout::Dropout(float rate) : LayerBase("dropout"), rate_(rate) {
  if (!(rate >= 0.0f && rate < 1.0f))
    throw ValueError("Dropout: rate is the fraction of inputs to drop and must be in [0, 1), got " +
                     std::to_string(rate) + " (e.g. Dropout(0.5) drops half)");
}

Shape Dropout::build(const Shape& in) {
  rng_ = global_rng().split();
  return in;
}

void Dropout::forward(const Tensor& x, Tensor& y, bool training) {
  check_input(x);
  y.resize(x.shape());
  last_training_ = training;
  if (!training || rate_ == 0.0f) {
    std::copy(x.begin(), x.end(), y.begin());
    last_training_ = false;  // nothing was dropped: backward passes dy straight through
    return;
  }
  draw_mask(x.shape());
  if (reference_mode())
    ref::dropout_forward(x.data(), mask_.data(), y.data(), x.size());
  else
    multiply_elements(x.data(), mask_.data(), y.data(), x.size());  // y = x ⊙ mask
}

void Dropout::draw_mask(const Shape& shape) {
  // The mask is drawn on one thread, in element order, so it depends only on the seed.
  // (For the chapter's CNN that is 32 × 128 numbers a step: negligible.)
  mask_.resize(shape);
  const float keep_scale = 1.0f / (1.0f - rate_);
  for (float& m : mask_) m = rng_.uniform() < rate_ ? 0.0f : keep_scale;
}

void Dropout::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  dx.resize(dy.shape());
  if (!last_training_) {
    std::copy(dy.begin(), dy.end(), dx.begin());
    return;
  }
  if (reference_mode())
    ref::dropout_backward(dy.data(), mask_.data(), dx.data(), dy.size());
  else
    multiply_elements(dy.data(), mask_.data(), dx.data(), dy.size());  // dx = dy ⊙ mask
}

Config Dropout::get_config() const { return Config().set("rate", rate_); }

Dropout Dropout::from_config(const Config& config) { return Dropout(config.get_float("rate")); }

}  // namespace nn::layers
