// The plain path of the optimizers (optimizers/sgd.h, optimizers/adam.h): each update rule
// written out for one element after another, in Keras's form, on one thread.
// Every number is worked in double and stored back as float.
// Legend: n = the parameter's element count; θ value, g grad, v velocity, m and v Adam's means.
#pragma once
#include <cstddef>

namespace nn::ref {

// θ[i] ← θ[i] - lr · g[i]                                    value, grad: (n)
void sgd_update(float* value, const float* grad, size_t n, float lr);

// v[i] ← μ · v[i] - lr · g[i];  θ[i] ← θ[i] + v[i]             value, grad, velocity: (n)
void sgd_momentum_update(float* value, const float* grad, float* velocity, size_t n, float lr, float momentum);

// Step t (1 for the first step) of Adam:             value, grad, m, v: (n)
//   m[i] ← m[i] + (g[i]  - m[i]) (1 - β₁)
//   v[i] ← v[i] + (g[i]² - v[i]) (1 - β₂)
//   α    = lr · √(1 - β₂ᵗ) / (1 - β₁ᵗ)
//   θ[i] ← θ[i] - α · m[i] / (√v[i] + ε)
void adam_update(float* value, const float* grad, float* m, float* v, size_t n, float lr, float beta_1, float beta_2,
                 float epsilon, long t);

}  // namespace nn::ref
