#include "kernels/activations.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"
#include "kernels/simd_clones.h"

namespace nn {
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

// LeakyReLU over elements [b, e), the passes the chapter's CNN runs on every conv output.
// NN_SIMD_CLONES compiles it for AVX-512, AVX2 and plain x86-64 and the best is picked when
// the program loads (as in Adam), so it runs at about memory speed. (No __restrict: Dense
// and Conv2D apply their activation in place, z == y; g++ checks for overlap once per call
// instead.)
NN_SIMD_CLONES
void leaky_relu_range(const float* z, float* y, size_t b, size_t e, float a) {
  for (size_t i = b; i < e; ++i) y[i] = leaky_relu(z[i], a);
}

NN_SIMD_CLONES
void leaky_relu_backward_range(const float* y, const float* dy, float* dz, size_t b, size_t e, float a) {
  for (size_t i = b; i < e; ++i) dz[i] = leaky_relu_backward(dy[i], y[i] > 0.0f, a);
}

// Calls row(r) for every row r of a (rows, cols) block, the rows split over the thread
// pool as for_chunks splits their numbers: each chunk of elements [b, e) takes the
// rows that start inside it, so every row is done exactly once, by one thread.
template <class Row>
void for_each_row(size_t rows, size_t cols, const Row& row) {
  for_chunks(rows * cols, [&](size_t b, size_t e) {
    for (size_t r = (b + cols - 1) / cols; r < (e + cols - 1) / cols && r < rows; ++r) row(r);
  });
}

}  // namespace

void linear_forward(const float* z, float* y, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    if (y != z) std::copy(z + b, z + e, y + b);
  });
}

void relu_forward(const float* z, float* y, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) y[i] = z[i] > 0.0f ? z[i] : 0.0f;
  });
}

void leaky_relu_forward(const float* z, float* y, size_t n, float a) {
  for_chunks(n, [&](size_t b, size_t e) { leaky_relu_range(z, y, b, e, a); });
}

void sigmoid_forward(const float* z, float* y, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) y[i] = 1.0f / (1.0f + std::exp(-z[i]));
  });
}

void tanh_forward(const float* z, float* y, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) y[i] = std::tanh(z[i]);
  });
}

void softmax_forward(const float* z, float* y, size_t rows, size_t cols) {
  for_each_row(rows, cols, [&](size_t r) { softmax_row(z + r * cols, y + r * cols, cols); });
}

void linear_backward(const float* dy, float* dz, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    if (dz != dy) std::copy(dy + b, dy + e, dz + b);
  });
}

void relu_backward(const float* y, const float* dy, float* dz, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      const float d = dy[i];  // loaded unconditionally, so the loop vectorises
      dz[i] = y[i] > 0.0f ? d : 0.0f;
    }
  });
}

void leaky_relu_backward(const float* y, const float* dy, float* dz, size_t n, float a) {
  for_chunks(n, [&](size_t b, size_t e) { leaky_relu_backward_range(y, dy, dz, b, e, a); });
}

void sigmoid_backward(const float* y, const float* dy, float* dz, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) dz[i] = dy[i] * y[i] * (1.0f - y[i]);
  });
}

void tanh_backward(const float* y, const float* dy, float* dz, size_t n) {
  for_chunks(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
  });
}

void softmax_backward(const float* y, const float* dy, float* dz, size_t rows, size_t cols) {
  for_each_row(rows, cols,
               [&](size_t r) { softmax_row_backward(y + r * cols, dy + r * cols, dz + r * cols, cols); });
}

void activation_forward_fast(ActivationKind kind, const float* z, float* y, size_t rows, size_t cols, float alpha) {
  const size_t n = rows * cols;
  switch (kind) {
    case ActivationKind::linear: return linear_forward(z, y, n);
    case ActivationKind::relu: return relu_forward(z, y, n);
    case ActivationKind::leaky_relu: return leaky_relu_forward(z, y, n, alpha);
    case ActivationKind::sigmoid: return sigmoid_forward(z, y, n);
    case ActivationKind::tanh: return tanh_forward(z, y, n);
    case ActivationKind::softmax: return softmax_forward(z, y, rows, cols);
  }
}

void activation_backward_fast(ActivationKind kind, const float* y, const float* dy, float* dz, size_t rows,
                              size_t cols, float alpha) {
  const size_t n = rows * cols;
  switch (kind) {
    case ActivationKind::linear: return linear_backward(dy, dz, n);
    case ActivationKind::relu: return relu_backward(y, dy, dz, n);
    case ActivationKind::leaky_relu: return leaky_relu_backward(y, dy, dz, n, alpha);
    case ActivationKind::sigmoid: return sigmoid_backward(y, dy, dz, n);
    case ActivationKind::tanh: return tanh_backward(y, dy, dz, n);
    case ActivationKind::softmax: return softmax_backward(y, dy, dz, rows, cols);
  }
}

}  // namespace nn
