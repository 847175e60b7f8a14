// The fast activation functions: the loops layers/activations.cpp calls on its fast path.
// The formulas, the names and the choice between this file and the plain reference
// (src/reference/activations.h) live in layers/activations.{h,cpp}; here is only the speed:
// threading (for_chunks, kernels/parallel.h: blocks of a layer's activations are split over
// the thread pool from kLayerParallelThreshold numbers, in chunks whose boundaries depend
// only on the size) and SIMD clones for the LeakyReLU passes the
// chapter's CNN runs on every convolution's output.
//
// Every function works on raw row-major floats; the element-wise ones take the block as n
// numbers, softmax takes (rows, cols) and works on each row. Forward functions may run in
// place (z == y), backward ones with dy == dz, because Dense and Conv2D apply their
// activation in place.
#pragma once
#include <cstddef>

namespace nn {

// The activations by kind; layers/activations.h maps them to and from their Keras names.
// (Here, at the kernel level, so that the plain and the fast paths can both use them.)
enum class ActivationKind { linear, relu, sigmoid, tanh, softmax, leaky_relu };

constexpr float kLeakyReluAlpha = 0.3f;  // Keras's default for LeakyReLU and "leaky_relu"

// LeakyReLU on one number, forward and backward, written as (positive part) + a · (negative
// part): g++ turns this form into vector code, while `v > 0 ? v : a * v` stays a scalar
// branch. With a = 1 both are the identity, which lets the BatchNormalization kernels
// (kernels/batch_norm.h) run one loop with or without a LeakyReLU fused into them.
inline float leaky_relu(float v, float a) { return (v > 0.0f ? v : 0.0f) + a * (v > 0.0f ? 0.0f : v); }
// dL/dz from dL/dy = d, given whether the unit was active (y > 0, equivalently z > 0).
inline float leaky_relu_backward(float d, bool positive, float a) {
  return (positive ? d : 0.0f) + a * (positive ? 0.0f : d);
}

// Forward: y = f(z).                                      z, y: (n), may be the same array
void linear_forward(const float* z, float* y, size_t n);                 // y = z
void relu_forward(const float* z, float* y, size_t n);                   // y = max(z, 0)
void leaky_relu_forward(const float* z, float* y, size_t n, float a);    // y = leaky_relu(z, a)
void sigmoid_forward(const float* z, float* y, size_t n);                // y = 1 / (1 + e^-z)
void tanh_forward(const float* z, float* y, size_t n);                   // y = tanh(z)
// y = e^(z - max) / Σ e^(z - max), row by row   z, y: (rows, cols), may be the same array
void softmax_forward(const float* z, float* y, size_t rows, size_t cols);

// Backward: dz = f'(z) ⊙ dy, with f' read from the output y.   y, dy, dz: (n); dy == dz allowed
// (leaky_relu_backward over a block overloads the one-number form above: same idea, n at once.)
void linear_backward(const float* dy, float* dz, size_t n);                                // dz = dy
void relu_backward(const float* y, const float* dy, float* dz, size_t n);                  // dy if y > 0 else 0
void leaky_relu_backward(const float* y, const float* dy, float* dz, size_t n, float a);  // dy if y > 0 else a·dy
void sigmoid_backward(const float* y, const float* dy, float* dz, size_t n);               // dy · y (1 - y)
void tanh_backward(const float* y, const float* dy, float* dz, size_t n);                  // dy · (1 - y²)
// dz = y ⊙ (dy - Σ_j dy_j y_j), row by row   y, dy, dz: (rows, cols); dy == dz allowed
void softmax_backward(const float* y, const float* dy, float* dz, size_t rows, size_t cols);

// By kind, as layers/activations.h's activation_forward / activation_backward (which call
// these on the fast path): f over a (rows, cols) block, softmax row by row.
void activation_forward_fast(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols,
                             float alpha = kLeakyReluAlpha);
void activation_backward_fast(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows,
                              size_t cols, float alpha = kLeakyReluAlpha);

}  // namespace nn
