// Sampling — the variational autoencoder's sampling step (the book's Sampling layer, the
// "reparameterisation trick" of Kingma & Welling): from a mean μ and a log-variance log σ²
// for every latent dim, a random point z of the normal distribution N(μ, σ²),
//
//   z = μ + exp(½·log σ²) · ε,      ε ~ N(0, I)            μ, log σ², ε, z: (N, D)
//
// Written this way (rather than "draw z from N(μ, σ²)") z is a function of μ and log σ²,
// with ε as a fixed input, so the error flows back through it:
//   dμ      = dz                                   (∂z/∂μ = 1)
//   dlog σ² = dz ⊙ ½·exp(½·log σ²) ⊙ ε             (∂z/∂log σ² = ½·σ·ε)
//
// It also adds a term to the model's loss (Keras's add_loss): the KL divergence of
// N(μ, σ²) from the standard normal, summed over the D dims, averaged over the batch, times
// kl_weight — the book's
//   KL = kl_weight · (1/N) Σ_n Σ_d −½·(1 + log σ² − μ² − exp(log σ²))
// It is 0 when every μ = 0 and σ = 1, and pulls the codes towards that: the latent space
// becomes one round cloud a decoder can be sampled from. Its gradient, which backward adds
// to the one above:
//   dμ      += kl_weight · μ / N
//   dlog σ² += kl_weight · ½·(exp(log σ²) − 1) / N
//
// ε is drawn afresh on every call, training or not (as the book's layer does), from the
// layer's own generator, split off nn::global_rng() when the layer is built (as Dropout's
// is), so nn::set_seed(…) makes it reproducible and checkpoints save where its stream is.
// It is drawn on one thread, in element order. The formulas are computed by the plain loops
// of reference/sampling.h in both modes: an element-wise pass over (N, D) has no fast path
// worth its code.
#pragma once
#include <string>

#include "layers/merge.h"
#include "tensor/rng.h"

namespace nn::layers {

struct SamplingOptions {
  float kl_weight = 1.0f;             // the KL term's weight in the loss (>= 0)
  std::string loss_name = "kl_loss";  // the term's name in History and the progress bar
};

class Sampling : public MergeLayerBase<Sampling> {
 public:
  explicit Sampling(SamplingOptions options = {});

  Shape build_inputs(const std::vector<Shape>& in) override;  // (D), (D) -> (D)
  // xs: {μ (N, D), log σ² (N, D)} -> z: (N, D)
  void forward_inputs(const std::vector<const Tensor*>& xs, Tensor& z, bool training) override;
  // dz: (N, D) -> dxs: {dμ (N, D), dlog σ² (N, D)}, the KL term's gradient included
  void backward_inputs(const Tensor& dz, const std::vector<Tensor*>& dxs) override;
  std::string type() const override { return "Sampling"; }
  Config get_config() const override;
  static Sampling from_config(const Config& config);
  Rng* random_generator() override { return &rng_; }
  std::string added_loss_name() const override { return options_.loss_name; }
  float added_loss() const override { return kl_; }

  float kl_weight() const { return options_.kl_weight; }
  const Tensor& noise() const { return eps_; }  // (N, D) the ε of the last forward pass

 private:
  SamplingOptions options_;
  Rng rng_;
  Tensor eps_;     // (N, D) ε, sized for the largest batch
  const Tensor* mu_ = nullptr;       // the forward inputs, kept (not copied) for backward
  const Tensor* log_var_ = nullptr;
  float kl_ = 0.0f;  // the KL term of the last forward pass, weighted
};

}  // namespace nn::layers
