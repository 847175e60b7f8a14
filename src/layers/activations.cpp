#include "layers/activations.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise.h"
#include "kernels/simd_clones.h"
#include "reference/activations.h"
#include "reference/mode.h"
#include "tensor/error.h"

namespace nn {

ActivationKind activation_from_name(const std::string& name) {
  if (name == "linear" || name.empty()) return ActivationKind::linear;
  if (name == "relu") return ActivationKind::relu;
  if (name == "sigmoid") return ActivationKind::sigmoid;
  if (name == "tanh") return ActivationKind::tanh;
  if (name == "softmax") return ActivationKind::softmax;
  if (name == "leaky_relu") return ActivationKind::leaky_relu;
  throw ValueError("unknown activation \"" + name + "\"; expected one of: linear relu sigmoid tanh softmax leaky_relu");
}

std::string activation_name(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::linear: return "linear";
    case ActivationKind::relu: return "relu";
    case ActivationKind::sigmoid: return "sigmoid";
    case ActivationKind::tanh: return "tanh";
    case ActivationKind::softmax: return "softmax";
    case ActivationKind::leaky_relu: return "leaky_relu";
  }
  return "linear";
}

namespace {

// Softmax of one row, shifted by the row's max first: exp(z - max) never overflows, and
// the shift cancels in the ratio, so the result is unchanged.
void softmax_row(const float* z, float* y, size_t cols) {
  float m = z[0];
  for (size_t c = 1; c < cols; ++c) m = std::max(m, z[c]);
  float sum = 0.0f;
  for (size_t c = 0; c < cols; ++c) {
    y[c] = std::exp(z[c] - m);
    sum += y[c];
  }
  const float inv = 1.0f / sum;
  for (size_t c = 0; c < cols; ++c) y[c] *= inv;
}

// Softmax's Jacobian is J = diag(y) - y yᵀ. We never build it: J·dy = y ⊙ (dy - (y·dy)).
void softmax_row_backward(const float* y, const float* dy, float* dz, size_t cols) {
  float dot = 0.0f;
  for (size_t c = 0; c < cols; ++c) dot += y[c] * dy[c];
  for (size_t c = 0; c < cols; ++c) dz[c] = y[c] * (dy[c] - dot);
}

// LeakyReLU over elements [b, e), the passes the chapter's CNN runs on every conv output
// (the formula, written so that it vectorises, is in activations.h). NN_SIMD_CLONES
// compiles it for AVX-512, AVX2 and plain x86-64 and the best is picked when the program
// loads (as in Adam), so it runs at about memory speed. (No __restrict: Dense and Conv2D
// apply their activation in place, z == y; g++ checks for overlap once per call instead.)
NN_SIMD_CLONES
void leaky_relu_range(const float* z, float* y, size_t b, size_t e, float a) {
  for (size_t i = b; i < e; ++i) y[i] = leaky_relu(z[i], a);
}

NN_SIMD_CLONES
void leaky_relu_backward_range(const float* y, const float* dy, float* dz, size_t b, size_t e, float a) {
  for (size_t i = b; i < e; ++i) dz[i] = leaky_relu_backward(dy[i], y[i] > 0.0f, a);
}

}  // namespace

void activation_forward(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols, float alpha) {
  if (reference_mode()) return ref::activation_forward(kind, z, y, rows, cols, alpha);
  if (kind == ActivationKind::softmax) {
    parallel_elements(rows * cols, [&](size_t b, size_t e) {
      // Chunks are whole rows: round the element range to row boundaries.
      for (size_t r = (b + cols - 1) / cols; r < (e + cols - 1) / cols && r < rows; ++r)
        softmax_row(z + r * cols, y + r * cols, cols);
    });
    return;
  }
  parallel_elements(rows * cols, [&](size_t b, size_t e) {
    const float a = alpha;
    switch (kind) {
      case ActivationKind::linear:
        if (y != z) std::copy(z + b, z + e, y + b);
        break;
      case ActivationKind::relu:
        for (size_t i = b; i < e; ++i) y[i] = z[i] > 0.0f ? z[i] : 0.0f;
        break;
      case ActivationKind::leaky_relu:
        leaky_relu_range(z, y, b, e, a);
        break;
      case ActivationKind::sigmoid:
        for (size_t i = b; i < e; ++i) y[i] = 1.0f / (1.0f + std::exp(-z[i]));
        break;
      case ActivationKind::tanh:
        for (size_t i = b; i < e; ++i) y[i] = std::tanh(z[i]);
        break;
      case ActivationKind::softmax:
        break;
    }
  });
}

void activation_backward(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows, size_t cols,
                         float alpha) {
  if (reference_mode()) return ref::activation_backward(kind, y, dy, dz, rows, cols, alpha);
  if (kind == ActivationKind::softmax) {
    parallel_elements(rows * cols, [&](size_t b, size_t e) {
      for (size_t r = (b + cols - 1) / cols; r < (e + cols - 1) / cols && r < rows; ++r)
        softmax_row_backward(y + r * cols, dy + r * cols, dz + r * cols, cols);
    });
    return;
  }
  parallel_elements(rows * cols, [&](size_t b, size_t e) {
    const float a = alpha;
    switch (kind) {
      case ActivationKind::linear:
        if (dz != dy) std::copy(dy + b, dy + e, dz + b);
        break;
      case ActivationKind::relu:
        for (size_t i = b; i < e; ++i) {
          const float d = dy[i];  // loaded unconditionally, so the loop vectorises
          dz[i] = y[i] > 0.0f ? d : 0.0f;
        }
        break;
      case ActivationKind::leaky_relu:
        leaky_relu_backward_range(y, dy, dz, b, e, a);
        break;
      case ActivationKind::sigmoid:
        for (size_t i = b; i < e; ++i) dz[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
      case ActivationKind::tanh:
        for (size_t i = b; i < e; ++i) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
      case ActivationKind::softmax:
        break;
    }
  });
}

}  // namespace nn
