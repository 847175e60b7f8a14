// The plain path of the activation functions (layers/activations.h), one at a time.
// Legend: a (rows, cols) block; softmax works on each row, the others on each number.
#pragma once
#include <cstddef>

#include "kernels/activations.h"  // ActivationKind, kLeakyReluAlpha

namespace nn::ref {

// y = f(z)                                        z, y: (rows, cols); may be the same array
//   linear z;  relu max(z, 0);  leaky_relu z if z > 0 else alpha·z;  sigmoid 1 / (1 + e^-z);
//   tanh tanh(z);  softmax e^(z_j - max) / Σ_i e^(z_i - max) over each row
void activation_forward(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols,
                        float alpha = kLeakyReluAlpha);

// dz = f'(z) ⊙ dy, with f' written from the output y   y, dy, dz: (rows, cols)
//   linear 1;  relu 1 if y > 0 else 0;  leaky_relu 1 if y > 0 else alpha;  sigmoid y(1 - y);
//   tanh 1 - y²;  softmax (a row) dz_j = y_j · (dy_j - Σ_i dy_i y_i)   (dy and dz may alias)
void activation_backward(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows, size_t cols,
                         float alpha = kLeakyReluAlpha);

}  // namespace nn::ref
