// The activation functions, by Keras name: linear relu sigmoid tanh softmax leaky_relu.
//
// Forward, each maps z (a layer's weighted sums) to y = f(z). For backward we use a handy
// fact: every one of these has a derivative that can be written from its *output* y alone,
//   relu        dy/dz = 1 if y > 0 else 0
//   leaky_relu  dy/dz = 1 if y > 0 else alpha        (alpha > 0 keeps the sign of z)
//   sigmoid     dy/dz = y (1 - y)
//   tanh        dy/dz = 1 - y²
//   linear      dy/dz = 1
//   softmax     (a whole row at once) dz = y ⊙ (dy - Σ_j dy_j y_j)
// so a layer only has to keep y, not z, to run its backward pass.
#pragma once
#include <cstddef>
#include <string>

namespace nn {

enum class ActivationKind { linear, relu, sigmoid, tanh, softmax, leaky_relu };

constexpr float kLeakyReluAlpha = 0.3f;  // Keras's default for LeakyReLU and "leaky_relu"

// LeakyReLU on one number, forward and backward, written as (positive part) + a · (negative
// part): g++ turns this form into vector code, while `v > 0 ? v : a * v` stays a scalar
// branch (~5× slower on a conv's output). With a = 1 both are the identity, which lets
// BatchNormalization run one loop with or without the LeakyReLU it absorbs.
inline float leaky_relu(float v, float a) { return (v > 0.0f ? v : 0.0f) + a * (v > 0.0f ? 0.0f : v); }
// dL/dz from dL/dy = d, given whether the unit was active (y > 0, equivalently z > 0).
inline float leaky_relu_backward(float d, bool positive, float a) {
  return (positive ? d : 0.0f) + a * (positive ? 0.0f : d);
}

// "relu" -> ActivationKind::relu; an unknown name is an nn::Error listing the known ones.
ActivationKind activation_from_name(const std::string& name);
std::string activation_name(ActivationKind kind);

// y = f(z) over a (rows, cols) block; softmax works row by row. z and y may alias.
void activation_forward(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols,
                        float alpha = kLeakyReluAlpha);

// dz = f'(z) ⊙ dy, computed from the forward output y (see the table above).
// dy and dz may alias.
void activation_backward(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows, size_t cols,
                         float alpha = kLeakyReluAlpha);

}  // namespace nn
