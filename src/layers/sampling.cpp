#include "layers/sampling.h"

#include <cmath>
#include <utility>

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
  // Both paths are the plain loops: an element-wise pass over (N, D), with D = 2 in the
  // book, has nothing for a fast kernel to win.
  ref::sampling_forward(mu_->data(), log_var_->data(), eps_.data(), z.data(), n, d);
  kl_ = ref::kl_divergence(mu_->data(), log_var_->data(), n, d, options_.kl_weight);
}

void Sampling::backward_inputs(const Tensor& dz, const std::vector<Tensor*>& dxs) {
  if (!input_gradient_needed()) return;  // no weights of its own: only dx to compute
  Tensor& d_mu = *dxs[0];
  Tensor& d_log_var = *dxs[1];
  d_mu.resize(mu_->shape());
  d_log_var.resize(mu_->shape());
  const size_t n = static_cast<size_t>(mu_->dim(0)), d = static_cast<size_t>(mu_->dim(1));
  ref::sampling_backward(dz.data(), mu_->data(), log_var_->data(), eps_.data(), d_mu.data(), d_log_var.data(), n, d,
                         options_.kl_weight);
}

}  // namespace nn::layers
