// Planted bug, for make test: exercise 6_batch_norm_backward with one mistake in it, which its checks must
// catch and name (tests/run_exercises.sh runs them on this file). Made from solutions/6_batch_norm_backward.h.
// The mistake: dx = s·γ·(dy - mean(dy)): the term through σ², - x̂·mean(dx̂·x̂), is missing.
// expect-hint: the term - x̂ · mean(dx̂ · x̂) is missing
// Exercise 6 — reference solution: BatchNormalization's backward in training mode.
//   dβ += Σ g   dγ += Σ g·x̂   dx = s·γ·(g - mean(g) - x̂·mean(g·x̂))   (per channel, over its m values)
#pragma once
#include <cmath>
#include <vector>

#include "nn.h"

class BatchNorm : public nn::LayerBase<BatchNorm> {
 public:
  explicit BatchNorm(float momentum = 0.99f, float epsilon = 1e-3f)
      : LayerBase("batch_norm"), momentum_(momentum), epsilon_(epsilon) {}
  std::string type() const override { return "BatchNorm"; }
  std::vector<nn::Param*> params() override { return {&gamma_, &beta_, &moving_mean_, &moving_variance_}; }
  nn::Config get_config() const override { return nn::Config().set("momentum", momentum_).set("epsilon", epsilon_); }
  static BatchNorm from_config(const nn::Config& c) { return BatchNorm(c.get_float("momentum"), c.get_float("epsilon")); }

  // in: (..., C) -> the same. gamma 1, beta 0, moving mean 0, moving variance 1, as in Keras.
  nn::Shape build(const nn::Shape& in) override {
    channels_ = in.back();
    gamma_.value = nn::Tensor({channels_}, 1.0f);
    beta_.value = nn::Tensor({channels_});
    moving_mean_.value = nn::Tensor({channels_});
    moving_variance_.value = nn::Tensor({channels_}, 1.0f);
    for (nn::Param* p : params()) p->grad = nn::Tensor({channels_});
    return in;
  }

  // x: (N, ..., C) -> y: same shape. Given: the formulas at the top of this file.
  void forward(const nn::Tensor& x, nn::Tensor& y, bool training) override {
    check_input(x);
    const size_t c = channels_, m = x.size() / c;
    std::vector<double> mean(c, 0.0), variance(c, 0.0);
    if (training) {  // this batch's statistics; the moving ones follow them slowly
      for (size_t i = 0; i < x.size(); ++i) mean[i % c] += x[i];
      for (size_t k = 0; k < c; ++k) mean[k] /= m;
      for (size_t i = 0; i < x.size(); ++i) variance[i % c] += (x[i] - mean[i % c]) * (x[i] - mean[i % c]);
      for (size_t k = 0; k < c; ++k) {
        variance[k] /= m;
        moving_mean_.value[k] = momentum_ * moving_mean_.value[k] + (1 - momentum_) * static_cast<float>(mean[k]);
        moving_variance_.value[k] =
            momentum_ * moving_variance_.value[k] + (1 - momentum_) * static_cast<float>(variance[k]);
      }
    } else {  // inference: the moving statistics, constants
      for (size_t k = 0; k < c; ++k) mean[k] = moving_mean_.value[k], variance[k] = moving_variance_.value[k];
    }
    inv_std_.resize(c);
    for (size_t k = 0; k < c; ++k) inv_std_[k] = static_cast<float>(1.0 / std::sqrt(variance[k] + epsilon_));
    xhat_.resize(x.shape());
    y.resize(x.shape());
    for (size_t i = 0; i < x.size(); ++i) {
      xhat_[i] = static_cast<float>((x[i] - mean[i % c]) * inv_std_[i % c]);
      y[i] = gamma_.value[i % c] * xhat_[i] + beta_.value[i % c];
    }
    last_training_ = training;
  }

  // dy: (N, ..., C) -> dx: same shape; gamma_.grad += dL/dγ, beta_.grad += dL/dβ
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    if (last_training_)
      backward_training(dy, dx);
    else
      backward_inference(dy, dx);
  }

 private:
  // The training case: dβ, dγ, and dx through x̂, μ and σ² (the formulas at the top).
  void backward_training(const nn::Tensor& dy, nn::Tensor& dx) {
    const size_t c = channels_, m = dy.size() / c;  // m values per channel
    std::vector<double> sum_g(c, 0.0), sum_g_xhat(c, 0.0);
    for (size_t i = 0; i < dy.size(); ++i) {
      sum_g[i % c] += dy[i];
      sum_g_xhat[i % c] += dy[i] * xhat_[i];
    }
    for (size_t k = 0; k < c; ++k) {  // added: the optimizer zeroes the grads after its step
      beta_.grad[k] += static_cast<float>(sum_g[k]);
      gamma_.grad[k] += static_cast<float>(sum_g_xhat[k]);
    }
    if (!input_gradient_needed()) return;  // the grads above are needed all the same
    // dx̂ = γ·g, so mean(dx̂) = γ·Σg / m and mean(dx̂·x̂) = γ·Σ(g·x̂) / m.
    dx.resize(dy.shape());
    for (size_t i = 0; i < dy.size(); ++i) {
      const size_t k = i % c;
      const double mean_g = sum_g[k] / m;
      dx[i] = static_cast<float>(inv_std_[k] * gamma_.value[k] * (dy[i] - mean_g));
    }
  }

  // Given: after an inference forward μ and σ² are the moving statistics, constants, so
  // dx is only the first term: dx = s · γ · dy. The parameter grads are the same as in
  // training, and are computed even when no dx is wanted (the first layer after Input).
  void backward_inference(const nn::Tensor& dy, nn::Tensor& dx) {
    const size_t c = channels_;
    for (size_t i = 0; i < dy.size(); ++i) {
      beta_.grad[i % c] += dy[i];
      gamma_.grad[i % c] += dy[i] * xhat_[i];
    }
    if (!input_gradient_needed()) return;
    dx.resize(dy.shape());
    for (size_t i = 0; i < dy.size(); ++i) dx[i] = inv_std_[i % c] * gamma_.value[i % c] * dy[i];
  }

  float momentum_, epsilon_;
  int channels_ = 0;
  nn::Param gamma_{"gamma", {}, {}, true};
  nn::Param beta_{"beta", {}, {}, true};
  nn::Param moving_mean_{"moving_mean", {}, {}, false};
  nn::Param moving_variance_{"moving_variance", {}, {}, false};
  nn::Tensor xhat_;             // x̂ of the last forward, the shape of x
  std::vector<float> inv_std_;  // (C) s = 1 / sqrt(σ² + ε) of the last forward
  bool last_training_ = false;  // which formula the last forward used
};
