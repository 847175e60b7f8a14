// The plain path of BatchNormalization (layers/batch_norm.h): its formulas as loops.
// Legend: x is viewed as a (m, C) matrix, m values per channel (N, or N·H·W after a
// Conv2D), C channels; every sum runs down a channel's m values.
#pragma once

namespace nn::ref {

// μ[c] = (1/m) Σ x[·][c]
// σ²[c] = (1/m) Σ (x[·][c] - μ[c])²        (the biased variance, as Keras normalises with)
//   x: (m, C)  mean, variance: (C)
void batch_norm_statistics(const float* x, int m, int c, float* mean, float* variance);

// moving[c] = momentum · moving[c] + (1 - momentum) · batch[c]     moving, batch: (C)
void batch_norm_update_moving(float* moving, const float* batch, float momentum, int c);

// x̂ = (x - μ) / sqrt(σ² + ε),   y = γ · x̂ + β
//   x, y: (m, C)  mean, variance, gamma, beta: (C)
void batch_norm_forward(const float* x, const float* mean, const float* variance, const float* gamma,
                        const float* beta, float epsilon, float* y, int m, int c);

// dβ[c] += Σ dy[·][c],   dγ[c] += Σ dy[·][c] · x̂[·][c]
//   dy, x: (m, C)  mean, variance, gamma_grad, beta_grad: (C)
void batch_norm_param_grads(const float* dy, const float* x, const float* mean, const float* variance,
                            float epsilon, float* gamma_grad, float* beta_grad, int m, int c);

// Training (μ and σ² came from this batch, so they move with every x of the channel):
//   dx = γ / sqrt(σ² + ε) · (dy - mean(dy) - x̂ · mean(dy · x̂))
//   dy, x, dx: (m, C)  mean, variance, gamma: (C)
void batch_norm_input_grad_training(const float* dy, const float* x, const float* mean, const float* variance,
                                    const float* gamma, float epsilon, float* dx, int m, int c);

// Inference (μ and σ² are the moving statistics, constants):  dx = γ / sqrt(σ² + ε) · dy
//   dy, dx: (m, C)  variance, gamma: (C)
void batch_norm_input_grad_inference(const float* dy, const float* variance, const float* gamma, float epsilon,
                                     float* dx, int m, int c);

}  // namespace nn::ref
