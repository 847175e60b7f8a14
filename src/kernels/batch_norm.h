// The fast passes of BatchNormalization (layers/batch_norm.h has the maths).
//
// The data is viewed as a (m, C) matrix: m values per channel (N·H·W after a Conv2D), C
// channels, row-major. One forward and one backward call each run all of a layer's passes:
//   forward   the batch statistics (training) or the moving ones (inference), folded into
//             y = x · scale + shift per channel: one multiply-add per number
//   backward  Σ dy and Σ dy·(x - μ) per channel, then dγ, dβ, and
//             dx = scale · dy + slope · (x - μ) + offset   (training; slope = offset = 0
//             in inference), with the per-channel slope and offset folded from the sums
// The sums are reproducible for any thread count: the m rows are cut into chunks whose
// size depends only on C, and the chunk sums are added in chunk order, in double
// (kernels/parallel.h).
//
// Layer fusion (model/layer_fusion.h) runs the LeakyReLU that follows a BatchNormalization
// inside these same passes: leaky_alpha is its slope on the negative side, and 1 (the
// identity: no LeakyReLU) by default. Forward then writes leaky_relu(x · scale + shift)
// and backward first takes dy back through that LeakyReLU, reading its slope from the sign
// of x · scale + shift, the number forward computed.
#pragma once
#include <cstddef>
#include <vector>

namespace nn {

// What forward keeps for backward, and scratch for the sums; one per layer (sized on use,
// so a training step allocates nothing in steady state).
struct BatchNormState {
  bool training = false;     // which statistics the last forward used (backward follows)
  std::vector<float> mean;     // (C) μ: the batch's or the moving one
  std::vector<float> inv_std;  // (C) 1 / sqrt(σ² + ε)
  std::vector<float> scale;    // (C) γ / sqrt(σ² + ε)
  std::vector<float> shift;    // (C) β - μ · scale
  std::vector<float> partial;  // per-chunk sums
  std::vector<double> sums;    // (C) or (2C) reduced sums
  std::vector<float> dx_coefficients;  // (2C) slope, offset of the training dx
};

// The moving statistics and their momentum, updated by a training forward pass:
//   moving -= (moving - batch) · (1 - momentum)   (Keras's form)
struct BatchNormMoving {
  float* mean;      // (C)
  float* variance;  // (C)
  float momentum;
};

// y = γ (x - μ) / sqrt(σ² + ε) + β per channel (then the fused LeakyReLU, if any).
// training: μ, σ² from the batch (biased variance), and *moving is updated; else μ, σ²
// are moving->mean and moving->variance, unchanged.
//   x, y: (m, C), not overlapping;  gamma, beta: (C)
void batch_norm_forward(const float* x, size_t m, size_t c, const float* gamma, const float* beta, float epsilon,
                        bool training, const BatchNormMoving& moving, BatchNormState& state, float* y,
                        float leaky_alpha = 1.0f);

// dγ += Σ dy · x̂,  dβ += Σ dy,  and (when dx is not null)
//   training:  dx = γ / σ · (dy - mean(dy) - x̂ · mean(dy · x̂))
//   inference: dx = γ / σ · dy
// with the statistics the last forward on `state` used.
//   dy, x, dx: (m, C), dx overlapping neither;  gamma_grad, beta_grad: (C)
void batch_norm_backward(const float* dy, const float* x, size_t m, size_t c, BatchNormState& state,
                         float* gamma_grad, float* beta_grad, float* dx, float leaky_alpha = 1.0f);

}  // namespace nn
