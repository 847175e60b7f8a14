// Exercise 6 — BatchNormalization's backward pass, from its formula
//
// Tutorial 09 puts a BatchNormalization after each convolution of the chapter's CNN: it
// rescales every channel to mean 0 and variance 1 over the batch, then lets the network pick
// the scale and offset it wants. The forward pass is written for you below:
//     μ = (1/m) Σ x        σ² = (1/m) Σ (x - μ)²          per channel, over the batch
//     s = 1 / sqrt(σ² + ε)     x̂ = (x - μ) · s     y = γ · x̂ + β
// A channel is the last axis (the K units after Dense, the C channels after Conv2D), and its
// "m values" are all the numbers with that channel: m = N for (N, K), m = N·H·W for (N, H, W, C).
//
// Your task: backward_training, the backward pass after a forward with training = true
// (what fit does). With g = dL/dy, and every sum and mean over the m values of one channel:
//     dβ = Σ g                 dγ = Σ g · x̂                     (ADD them into the grads)
//     dx: during training μ and σ² were computed from this batch, so every x moves y through
//         three paths: its own x̂, μ (which all of the channel's x̂ use), and σ². Write
//         dx̂ = γ · g, follow the chain rule through x̂ = (x - μ)·s, and you should arrive at
//             dx = s · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂))
//         The first term alone is the inference formula (backward_inference, written below).
//         mean(dx̂) takes out what moving all x together would do (normalisation undoes it:
//         so Σ dx = 0), x̂ · mean(dx̂ · x̂) likewise for stretching them all.
// forward keeps what you need: xhat_ (x̂, the shape of x) and inv_std_ (s, one per channel);
// gamma_.value is γ. src/reference/batch_norm.cpp has the library's version, which the
// checks compare yours with: try without it first.
// Then run
//     make exercise N=6
// The mistakes the checks look for: the inference formula in training (μ and σ² treated as
// constants); a missing term; means taken over N instead of all m = N·H·W values of a
// channel; dγ from x instead of x̂; grads overwritten instead of added to; dx added into.
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
  // Yours: the training case (see the top of this file).
  void backward_training(const nn::Tensor& dy, nn::Tensor& dx) {
    (void)dy;
    (void)dx;
    throw nn::Error("not implemented yet: BatchNorm::backward_training (dβ and dγ first, then dx)");
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
