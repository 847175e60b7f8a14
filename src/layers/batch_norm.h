// BatchNormalization — rescale every channel to mean 0 and variance 1 over the batch, then
// let the network pick the scale and offset it actually wants (gamma, beta).
//
// A channel is the last axis: the K units after Dense (N, K), the C channels after Conv2D
// (N, H, W, C). Its statistics are taken over every other axis, so below "the m values of
// channel c" means all N (or N·H·W) of them, and x is viewed as a (m, C) matrix.
//
//   training   μ = (1/m) Σ x                    per channel, over the batch
//              σ² = (1/m) Σ (x - μ)²            the biased variance, as Keras/TF normalise with
//              x̂ = (x - μ) / sqrt(σ² + ε)
//              y = γ · x̂ + β
//              moving_mean     = moving_mean     · momentum + μ  · (1 - momentum)
//              moving_variance = moving_variance · momentum + σ² · (1 - momentum)
//   inference  the same formula with μ, σ² replaced by the moving statistics.
//
//   backward   dβ += Σ dy          dγ += Σ dy · x̂
//              inference: μ and σ are constants, so  dx = γ / sqrt(σ² + ε) · dy
//              training: μ and σ² depend on every x of the channel, which adds two terms:
//                dx = γ / sqrt(σ² + ε) · (dy - mean(dy) - x̂ · mean(dy · x̂))
//              (the mean is over the m values of the channel). The first term is the
//              inference formula; mean(dy) is the part of the error that moving all x
//              together would cause, which normalisation removes anyway; x̂ · mean(dy · x̂)
//              likewise for stretching them all.
//
// Which variance feeds the moving average? Keras 2.11 (TF 2) uses the biased σ² above, in
// both of its code paths: its non-fused path passes tf.nn.moments' variance, and its fused
// path (taken for 4-D inputs, i.e. after Conv2D) multiplies the moving variance by m/(m-1)
// before TF's fused kernel applies its Bessel-corrected update and divides the result by
// m/(m-1) again, which cancels to the same biased update. (PyTorch, by contrast, feeds the
// unbiased m/(m-1)·σ² into its running variance.)
//
// Parameters, in Keras's order: gamma (init 1), beta (init 0) — trainable; moving_mean
// (init 0), moving_variance (init 1) — not trainable: summary() counts them as
// Non-trainable params and the optimizer leaves them alone.
//
// Two paths, the same numbers to float rounding: in reference mode the formulas above run
// as written (reference/batch_norm.h); otherwise kernels/batch_norm.h runs them folded into
// one multiply-add per number, with sums that are reproducible for any thread count.
#pragma once
#include <vector>

#include "kernels/batch_norm.h"
#include "layers/layer.h"

namespace nn::layers {

struct BatchNormalizationOptions {
  float momentum = 0.99f;  // how much of the old moving statistics each batch keeps
  float epsilon = 1e-3f;   // added to the variance so a constant channel does not divide by 0
};

class BatchNormalization : public LayerBase<BatchNormalization> {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {});

  Shape build(const Shape& in) override;                              // (..., C) -> (..., C)
  void forward(const Tensor& x, Tensor& y, bool training) override;  // x: (N, ..., C) -> y: same shape
  void backward(const Tensor& dy, Tensor& dx) override;              // dy: (N, ..., C) -> dx: same shape
  std::string type() const override { return "BatchNormalization"; }
  Config get_config() const override;  // for model.save (layers/config.h)
  static BatchNormalization from_config(const Config& config);  // for nn::load_model
  std::vector<Param*> params() override { return {&gamma_, &beta_, &moving_mean_, &moving_variance_}; }
  double forward_flops() const override;
  std::string explain_params() const override;

  float momentum() const { return momentum_; }
  float epsilon() const { return epsilon_; }
  Param& gamma() { return gamma_; }                      // (C)
  Param& beta() { return beta_; }                        // (C)
  Param& moving_mean() { return moving_mean_; }          // (C)
  Param& moving_variance() { return moving_variance_; }  // (C)

 private:
  float momentum_, epsilon_;
  int channels_ = 0;
  Param gamma_{"gamma", {}, {}, true};
  Param beta_{"beta", {}, {}, true};
  Param moving_mean_{"moving_mean", {}, {}, false};
  Param moving_variance_{"moving_variance", {}, {}, false};
  const Tensor* x_ = nullptr;   // the forward input, kept (not copied) to recompute x̂
  bool last_training_ = false;   // which formula the last forward used (backward follows it)
  bool last_reference_ = false;  // and which path: the statistics below or fast_
  // (C) the μ and σ² the last forward used (the batch's or the moving ones): reference path
  std::vector<float> mean_, variance_;
  BatchNormState fast_;  // what the fast path's last forward kept for backward
};

}  // namespace nn::layers
