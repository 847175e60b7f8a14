#include "layers/batch_norm.h"

#include <algorithm>
#include <cmath>

#include "reference/batch_norm.h"
#include "reference/mode.h"

namespace nn::layers {

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : LayerBase("batch_normalization"), momentum_(options.momentum), epsilon_(options.epsilon) {
  if (!(momentum_ >= 0.0f && momentum_ <= 1.0f))
    throw ValueError("BatchNormalization: momentum must be in [0, 1] (Keras uses 0.99), got " +
                     std::to_string(momentum_));
  if (!(epsilon_ > 0.0f) || !std::isfinite(epsilon_))
    throw ValueError("BatchNormalization: epsilon must be a small positive number (Keras uses 0.001), got " +
                     std::to_string(epsilon_));
}

Shape BatchNormalization::build(const Shape& in) {
  if (in.empty()) throw ShapeError("BatchNormalization needs samples with at least one axis, got " + shape_str(in));
  channels_ = in.back();
  gamma_.value = Tensor({channels_}, 1.0f);
  beta_.value = Tensor({channels_});
  moving_mean_.value = Tensor({channels_});
  moving_variance_.value = Tensor({channels_}, 1.0f);
  for (Param* p : params()) p->grad = Tensor({channels_});
  mean_.assign(channels_, 0.0f);
  variance_.assign(channels_, 1.0f);
  return in;
}

void BatchNormalization::forward(const Tensor& x, Tensor& y, bool training) {
  check_input(x);
  const int c = channels_, m = static_cast<int>(x.size() / c);
  y.resize(x.shape());
  x_ = &x;
  last_training_ = training;
  last_reference_ = reference_mode();
  if (!last_reference_) {
    const BatchNormMoving moving{moving_mean_.value.data(), moving_variance_.value.data(), momentum_};
    batch_norm_forward(x.data(), m, c, gamma_.value.data(), beta_.value.data(), epsilon_, training, moving, fast_,
                       y.data());
    return;
  }
  // The plain path, formula by formula (reference/batch_norm.h).
  if (training) {
    ref::batch_norm_statistics(x.data(), m, c, mean_.data(), variance_.data());
    ref::batch_norm_update_moving(moving_mean_.value.data(), mean_.data(), momentum_, c);
    ref::batch_norm_update_moving(moving_variance_.value.data(), variance_.data(), momentum_, c);
  } else {
    std::copy(moving_mean_.value.begin(), moving_mean_.value.end(), mean_.begin());
    std::copy(moving_variance_.value.begin(), moving_variance_.value.end(), variance_.begin());
  }
  ref::batch_norm_forward(x.data(), mean_.data(), variance_.data(), gamma_.value.data(), beta_.value.data(),
                          epsilon_, y.data(), m, c);
}

void BatchNormalization::backward(const Tensor& dy, Tensor& dx) {
  const int c = channels_, m = static_cast<int>(dy.size() / c);
  const float* xs = x_->data();
  if (input_gradient_needed()) dx.resize(dy.shape());
  float* dxs = input_gradient_needed() ? dx.data() : nullptr;
  if (!last_reference_) {  // the path the last forward took: its statistics are there
    batch_norm_backward(dy.data(), xs, m, c, fast_, gamma_.grad.data(), beta_.grad.data(), dxs);
    return;
  }
  // The plain path, formula by formula (reference/batch_norm.h).
  ref::batch_norm_param_grads(dy.data(), xs, mean_.data(), variance_.data(), epsilon_, gamma_.grad.data(),
                              beta_.grad.data(), m, c);
  if (!dxs) return;
  if (last_training_)
    ref::batch_norm_input_grad_training(dy.data(), xs, mean_.data(), variance_.data(), gamma_.value.data(), epsilon_,
                                        dxs, m, c);
  else
    ref::batch_norm_input_grad_inference(dy.data(), variance_.data(), gamma_.value.data(), epsilon_, dxs, m, c);
}

double BatchNormalization::forward_flops() const {
  // One multiply-add per number once the statistics are known.
  return 2.0 * static_cast<double>(shape_size(input_shape()));
}

std::string BatchNormalization::explain_params() const {
  return "4 per channel × " + std::to_string(channels_) +
         " channels (gamma, beta trainable; moving mean, moving variance not)";
}

Config BatchNormalization::get_config() const { return Config().set("momentum", momentum_).set("epsilon", epsilon_); }

BatchNormalization BatchNormalization::from_config(const Config& config) {
  return BatchNormalization({.momentum = config.get_float("momentum"), .epsilon = config.get_float("epsilon")});
}

}  // namespace nn::layers
