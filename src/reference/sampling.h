// The plain path of Sampling (layers/sampling.h), straight from its formulas, one number
// at a time. ε is not drawn here: Sampling draws it with the same code and generator in
// both modes, so both modes sample the same z.
// Legend: N batch, D latent dims; every array is (N, D), row-major.
#pragma once
#include <cstddef>

namespace nn::ref {

// z = μ + exp(½·log σ²)·ε
void sampling_forward(const float* mu, const float* log_var, const float* eps, float* z, size_t n, size_t d);

// kl_weight · (1/N) Σ_n Σ_d −½·(1 + log σ² − μ² − exp(log σ²))
float kl_divergence(const float* mu, const float* log_var, size_t n, size_t d, float kl_weight);

// dμ = dz + kl_weight·μ/N;  dlog σ² = dz·½·exp(½·log σ²)·ε + kl_weight·½·(exp(log σ²) − 1)/N
void sampling_backward(const float* dz, const float* mu, const float* log_var, const float* eps, float* d_mu,
                       float* d_log_var, size_t n, size_t d, float kl_weight);

}  // namespace nn::ref
