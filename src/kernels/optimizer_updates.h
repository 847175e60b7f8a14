// The fast per-element updates of the optimizers (optimizers/sgd.h, optimizers/adam.h).
//
// Why here and not in src/optimizers/: the same rule as for layers — the optimizer's file
// states its formula and state and calls a kernel; the tricks for speed (the thread split,
// __restrict, SIMD clones) live in src/kernels/ as free functions with a contract each. The
// plain versions, which reference mode runs, are in reference/optimizers.h.
//
// Every function reads and writes each element once (θ, g and the state side by side), so
// the update runs at memory speed. Large arrays are split over the thread pool by
// parallel_elements, one part per core (kernels/parallel.h, rule 2); the elements are
// independent, so the result is the same for any thread count. value, grad and the state
// arrays must not overlap. The *_and_zero forms also set g[i] = 0 in the same pass, on the
// same core: the optimizer step and the zeroing of the gradients for the next step are
// one pass over memory.
#pragma once
#include <cstddef>

namespace nn {

// θ[i] -= lr · g[i]                                          value, grad: (n)
void sgd_update(float* value, const float* grad, size_t n, float lr);
void sgd_update_and_zero(float* value, float* grad, size_t n, float lr);

// v[i] = μ · v[i] - lr · g[i];  θ[i] += v[i]                  value, grad, velocity: (n)
void sgd_momentum_update(float* value, const float* grad, float* velocity, size_t n, float lr, float momentum);
void sgd_momentum_update_and_zero(float* value, float* grad, float* velocity, size_t n, float lr, float momentum);

// m[i] += (g[i] - m[i]) · b1c;  v[i] += (g[i]² - v[i]) · b2c;  θ[i] -= α · m[i] / (√v[i] + ε)
// with b1c = 1 - β₁, b2c = 1 - β₂ and α this step's bias-corrected learning rate.
//                                                            value, grad, m, v: (n)
void adam_update(float* value, const float* grad, float* m, float* v, size_t n, float b1c, float b2c, float alpha,
                 float eps);
void adam_update_and_zero(float* value, float* grad, float* m, float* v, size_t n, float b1c, float b2c, float alpha,
                          float eps);

}  // namespace nn
