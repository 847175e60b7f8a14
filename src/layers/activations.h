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
//
// activation_forward / activation_backward pick the path: in reference mode the plain loops
// of src/reference/activations.h (one number at a time, on one thread), otherwise the fast
// ones of src/kernels/activations.h (threaded, SIMD clones for LeakyReLU). Both compute the
// formulas above and agree to float rounding (tests/test_reference*.cpp).
#pragma once
#include <cstddef>
#include <string>

// The fast loops, and the names every path shares: ActivationKind and kLeakyReluAlpha.
#include "kernels/activations.h"

namespace nn {

// "relu" -> ActivationKind::relu; an unknown name is an nn::Error listing the known ones.
ActivationKind activation_from_name(const std::string& name);
std::string activation_name(ActivationKind kind);

// y = f(z) over a (rows, cols) block; softmax works row by row.   z, y: (rows, cols), may alias
void activation_forward(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols,
                        float alpha = kLeakyReluAlpha);

// dz = f'(z) ⊙ dy, computed from the forward output y (see the table above).
//                                                   y, dy, dz: (rows, cols); dy and dz may alias
void activation_backward(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows, size_t cols,
                         float alpha = kLeakyReluAlpha);

}  // namespace nn
