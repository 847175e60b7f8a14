#include "layers/dropout.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise.h"

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
  // The mask is drawn on one thread, in element order, so it depends only on the seed.
  // (For the chapter's CNN that is 32 × 128 numbers a step: negligible.)
  mask_.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - rate_);
  for (float& m : mask_) m = rng_.uniform() < rate_ ? 0.0f : keep_scale;
  const float* xs = x.data();
  const float* ms = mask_.data();
  float* ys = y.data();
  parallel_elements(x.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) ys[i] = xs[i] * ms[i];
  });
}

void Dropout::backward(const Tensor& dy, Tensor& dx) {
  if (!input_gradient_needed()) return;
  dx.resize(dy.shape());
  if (!last_training_) {
    std::copy(dy.begin(), dy.end(), dx.begin());
    return;
  }
  const float* ds = dy.data();
  const float* ms = mask_.data();
  float* out = dx.data();
  parallel_elements(dy.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) out[i] = ds[i] * ms[i];
  });
}

}  // namespace nn::layers
