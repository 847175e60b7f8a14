#include "layers/sampling.h"

#include <cmath>
#include <utility>

#include "reference/mode.h"
#include "reference/sampling.h"
#include "tensor/error.h"

namespace nn::layers {

Sampling::Sampling(SamplingOptions options) : MergeLayerBase("sampling"), options_(std::move(options)) {
  if (!(options_.kl_weight >= 0.0f) || !std::isfinite(options_.kl_weight))
    throw ValueError("Sampling: kl_weight weighs the KL term in the loss and must be a number >= 0, got " +
                     std::to_string(options_.kl_weight) + " (the book uses 1, with the reconstruction weighted 500)");
  if (options_.loss_name.empty())
    throw ValueError("Sampling: loss_name is the KL term's name in the logs and must not be empty (default \"kl_loss\")");
}

Config Sampling::get_config() const {
  return Config().set("kl_weight", options_.kl_weight).set("loss_name", options_.loss_name);
}

Sampling Sampling::from_config(const Config& config) {
  return Sampling({.kl_weight = config.get_float("kl_weight"), .loss_name = config.get_string("loss_name")});
}

Shape Sampling::build_inputs(const std::vector<Shape>& in) {
  if (in.size() != 2 || in[0].size() != 1 || in[1] != in[0]) {
    std::string got;
    for (const Shape& s : in) got += (got.empty() ? "" : ", ") + batch_shape_str(s);
    throw ShapeError("Sampling takes two inputs of one shape (N, D), z_mean and z_log_var: "
                     "layers::Sampling()({z_mean, z_log_var}); got " + got);
  }
  rng_ = global_rng().split();
  return in[0];
}

void Sampling::forward_inputs(const std::vector<const Tensor*>& xs, Tensor& z, bool) {
  check_inputs(xs);
  mu_ = xs[0];
  log_var_ = xs[1];
  const size_t n = static_cast<size_t>(mu_->dim(0)), d = static_cast<size_t>(mu_->dim(1));
  // ε, one number after the other from this layer's generator (the same in both modes).
  eps_.resize(mu_->shape());
  for (float& e : eps_) e = rng_.normal();
  z.resize(mu_->shape());
  reference_pass_ = reference_mode();
  if (reference_pass_) {
    ref::sampling_forward(mu_->data(), log_var_->data(), eps_.data(), z.data(), n, d);
    kl_ = ref::kl_divergence(mu_->data(), log_var_->data(), n, d, options_.kl_weight);
    return;
  }
  // One pass: σ (kept for backward), z, and each sample's part of the KL term, summed in
  // double in the reference's order.
  sigma_.resize(mu_->shape());
  const float *mu = mu_->data(), *lv = log_var_->data(), *eps = eps_.data();
  float *sigma = sigma_.data(), *out = z.data();
  double total = 0;
  for (size_t r = 0; r < n; ++r) {
    double sample = 0;
    for (size_t j = 0; j < d; ++j) {
      const size_t i = r * d + j;
      sigma[i] = std::exp(0.5f * lv[i]);
      out[i] = mu[i] + sigma[i] * eps[i];
      sample += -0.5 * (1.0 + lv[i] - static_cast<double>(mu[i]) * mu[i] - std::exp(static_cast<double>(lv[i])));
    }
    total += sample;
  }
  kl_ = static_cast<float>(options_.kl_weight * (total / static_cast<double>(n)));
}

void Sampling::backward_inputs(const Tensor& dz, const std::vector<Tensor*>& dxs) {
  if (!input_gradient_needed()) return;  // no weights of its own: only dx to compute
  Tensor& d_mu = *dxs[0];
  Tensor& d_log_var = *dxs[1];
  d_mu.resize(mu_->shape());
  d_log_var.resize(mu_->shape());
  const size_t n = static_cast<size_t>(mu_->dim(0)), d = static_cast<size_t>(mu_->dim(1));
  if (reference_pass_) {  // (the fast path needs the σ its own forward kept)
    ref::sampling_backward(dz.data(), mu_->data(), log_var_->data(), eps_.data(), d_mu.data(), d_log_var.data(), n,
                           d, options_.kl_weight);
    return;
  }
  const float scale = options_.kl_weight / static_cast<float>(n);
  const float *g = dz.data(), *mu = mu_->data(), *lv = log_var_->data(), *eps = eps_.data(), *sigma = sigma_.data();
  float *dm = d_mu.data(), *dv = d_log_var.data();
  for (size_t i = 0; i < n * d; ++i) {
    dm[i] = g[i] + scale * mu[i];
    dv[i] = g[i] * 0.5f * sigma[i] * eps[i] + scale * 0.5f * (std::exp(lv[i]) - 1.0f);
  }
}

}  // namespace nn::layers
