#include "kernels/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "kernels/parallel.h"
#include "kernels/simd_clones.h"
#include "kernels/activations.h"  // leaky_relu, leaky_relu_backward on one number

namespace nn {
namespace {

// The passes over the (m, C) data, as plain loops over raw pointers. `__restrict` promises
// the compiler that the arrays do not overlap, so it can keep the per-channel constants in
// registers and vectorise without run-time overlap checks. NN_SIMD_CLONES compiles each
// pass for AVX-512, AVX2 and plain x86-64 and the best one the CPU has is picked when the
// program loads (as Adam does), so the default build still runs on any x86-64 CPU.
//
// The two sums below run over a block of 16 channels at a time, down all the rows of the
// chunk, into local arrays the compiler keeps in registers. Adding row after row straight
// into acc[] in memory instead makes every addition wait for the previous row's store to
// land (a chain through memory). The order of the additions is the same.
// `#pragma GCC unroll 1` keeps g++ from first unrolling the 16-step loop into 16 scalar
// statements, which it then fails to turn back into vector code; left as a loop, it
// becomes one 16-wide vector operation per row.
constexpr size_t kBlock = 16;

// acc[j] += Σ_r (x[r][j] - shift[j]),  acc[C + j] += Σ_r (x[r][j] - shift[j])²
NN_SIMD_CLONES
void add_shifted_moments(const float* __restrict x, const float* __restrict shift, size_t r0, size_t r1, size_t c,
                         float* __restrict acc) {
  for (size_t j0 = 0; j0 < c; j0 += kBlock) {
    float sum[kBlock] = {}, sum2[kBlock] = {}, k[kBlock] = {};
    const size_t width = std::min(kBlock, c - j0);
    std::copy(shift + j0, shift + j0 + width, k);
    if (width == kBlock) {  // the common case (C = 32, 64, 128): a fixed-size inner loop
      for (size_t r = r0; r < r1; ++r) {
        const float* row = x + r * c + j0;
#pragma GCC unroll 1  // (see above)
        for (size_t t = 0; t < kBlock; ++t) {
          const float d = row[t] - k[t];
          sum[t] += d;
          sum2[t] += d * d;
        }
      }
    } else {
      for (size_t r = r0; r < r1; ++r) {
        const float* row = x + r * c + j0;
        for (size_t t = 0; t < width; ++t) {
          const float d = row[t] - k[t];
          sum[t] += d;
          sum2[t] += d * d;
        }
      }
    }
    for (size_t t = 0; t < width; ++t) {
      acc[j0 + t] += sum[t];
      acc[c + j0 + t] += sum2[t];
    }
  }
}

// The per-channel constants of one pass: y = leaky_relu(x · scale + shift, alpha), where
// alpha = 1 is the identity (no LeakyReLU fused).
struct Affine {
  const float* scale;
  const float* shift;
  float alpha;
};

// dL/d(x · scale + shift) from the dL/dy that reached this pass: the fused LeakyReLU's
// backward, its slope read from the sign of x · scale + shift — the same number forward
// computed, so the same choice as LeakyReLU's own backward makes from its output.
inline float undo_leaky(float d, float x, float scale, float shift, float alpha) {
  return leaky_relu_backward(d, x * scale + shift > 0.0f, alpha);
}

// acc[j] += Σ_r g[r][j],  acc[C + j] += Σ_r g[r][j] · (x[r][j] - mean[j]),
// g = dy through the fused LeakyReLU's backward (g = dy when there is none)
NN_SIMD_CLONES
void add_gradient_sums(const float* __restrict dy, const float* __restrict x, const float* __restrict mean,
                       Affine f, size_t r0, size_t r1, size_t c, float* __restrict acc) {
  for (size_t j0 = 0; j0 < c; j0 += kBlock) {
    float sum[kBlock] = {}, sum_dx[kBlock] = {}, mu[kBlock] = {}, sc[kBlock] = {}, sh[kBlock] = {};
    const size_t width = std::min(kBlock, c - j0);
    std::copy(mean + j0, mean + j0 + width, mu);
    std::copy(f.scale + j0, f.scale + j0 + width, sc);
    std::copy(f.shift + j0, f.shift + j0 + width, sh);
    if (width == kBlock) {
      for (size_t r = r0; r < r1; ++r) {
        const float* d = dy + r * c + j0;
        const float* xr = x + r * c + j0;
#pragma GCC unroll 1  // (see above)
        for (size_t t = 0; t < kBlock; ++t) {
          const float g = undo_leaky(d[t], xr[t], sc[t], sh[t], f.alpha);
          sum[t] += g;
          sum_dx[t] += g * (xr[t] - mu[t]);
        }
      }
    } else {
      for (size_t r = r0; r < r1; ++r) {
        const float* d = dy + r * c + j0;
        const float* xr = x + r * c + j0;
        for (size_t t = 0; t < width; ++t) {
          const float g = undo_leaky(d[t], xr[t], sc[t], sh[t], f.alpha);
          sum[t] += g;
          sum_dx[t] += g * (xr[t] - mu[t]);
        }
      }
    }
    for (size_t t = 0; t < width; ++t) {
      acc[j0 + t] += sum[t];
      acc[c + j0 + t] += sum_dx[t];
    }
  }
}

// y[r][j] = leaky_relu(x[r][j] · scale[j] + shift[j], alpha)
NN_SIMD_CLONES
void scale_shift(const float* __restrict x, Affine f, size_t r0, size_t r1, size_t c, float* __restrict y) {
  const float* __restrict scale = f.scale;
  const float* __restrict shift = f.shift;
  for (size_t r = r0; r < r1; ++r)
    for (size_t j = 0; j < c; ++j) y[r * c + j] = leaky_relu(x[r * c + j] * scale[j] + shift[j], f.alpha);
}

// dx[r][j] = scale[j] · g[r][j] + slope[j] · (x[r][j] - mean[j]) + offset[j]   (training)
// dx[r][j] = scale[j] · g[r][j]                                                 (inference:
//                                                                   slope = offset = null)
// with g = dy through the fused LeakyReLU's backward, as in add_gradient_sums.
NN_SIMD_CLONES
void input_gradient(const float* __restrict dy, const float* __restrict x, Affine f, const float* __restrict slope,
                    const float* __restrict mean, const float* __restrict offset, size_t r0, size_t r1, size_t c,
                    float* __restrict dx) {
  const float* __restrict scale = f.scale;
  const float* __restrict shift = f.shift;
  if (!slope) {
    for (size_t r = r0; r < r1; ++r)
      for (size_t j = 0; j < c; ++j)
        dx[r * c + j] = scale[j] * undo_leaky(dy[r * c + j], x[r * c + j], scale[j], shift[j], f.alpha);
    return;
  }
  for (size_t r = r0; r < r1; ++r)
    for (size_t j = 0; j < c; ++j) {
      const float g = undo_leaky(dy[r * c + j], x[r * c + j], scale[j], shift[j], f.alpha);
      dx[r * c + j] = scale[j] * g + slope[j] * (x[r * c + j] - mean[j]) + offset[j];
    }
}

// μ, 1/σ from the batch, and the moving statistics updated.
void batch_statistics(const float* x, size_t m, size_t c, float epsilon, const BatchNormMoving& moving,
                      BatchNormState& s) {
  // μ and σ² in one pass over x, with the "shifted data" formulas
  //   μ = K + E[x - K],   σ² = E[(x - K)²] - (E[x - K])²,
  // exact for any shift K. Without a shift (K = 0) the subtraction cancels catastrophically
  // when |μ| ≫ σ; with K = the batch's first row, which is one of the values being
  // averaged, K - μ is about one σ and nothing of note is lost.
  const float* shift = x;
  sum_rows(m, c, 2 * c, s.partial, s.sums,
           [&](size_t r0, size_t r1, float* acc) { add_shifted_moments(x, shift, r0, r1, c, acc); });
  for (size_t j = 0; j < c; ++j) {
    const double mean_shifted = s.sums[j] / static_cast<double>(m);
    // biased (divided by m), see layers/batch_norm.h; rounding could leave a tiny negative
    const double var = std::max(0.0, s.sums[c + j] / static_cast<double>(m) - mean_shifted * mean_shifted);
    s.mean[j] = static_cast<float>(shift[j] + mean_shifted);
    s.inv_std[j] = static_cast<float>(1.0 / std::sqrt(var + epsilon));
    // Keras writes the update as  moving -= (moving - batch) · (1 - momentum).
    moving.mean[j] -= (moving.mean[j] - s.mean[j]) * (1.0f - moving.momentum);
    moving.variance[j] -= (moving.variance[j] - static_cast<float>(var)) * (1.0f - moving.momentum);
  }
}

}  // namespace

void batch_norm_forward(const float* x, size_t m, size_t c, const float* gamma, const float* beta, float epsilon,
                        bool training, const BatchNormMoving& moving, BatchNormState& s, float* y,
                        float leaky_alpha) {
  for (auto* v : {&s.mean, &s.inv_std, &s.scale, &s.shift}) v->resize(c);
  s.training = training;
  if (m == 0) return;
  if (training) {
    batch_statistics(x, m, c, epsilon, moving, s);
  } else {
    for (size_t j = 0; j < c; ++j) {
      s.mean[j] = moving.mean[j];
      s.inv_std[j] = 1.0f / std::sqrt(moving.variance[j] + epsilon);
    }
  }
  // y = γ (x - μ) / σ + β  =  x · scale + shift, one multiply-add per number.
  for (size_t j = 0; j < c; ++j) {
    s.scale[j] = gamma[j] * s.inv_std[j];
    s.shift[j] = beta[j] - s.mean[j] * s.scale[j];
  }
  const Affine f{s.scale.data(), s.shift.data(), leaky_alpha};
  for_row_chunks(m, c, [&](size_t r0, size_t r1) { scale_shift(x, f, r0, r1, c, y); });
}

void batch_norm_backward(const float* dy, const float* x, size_t m, size_t c, BatchNormState& s, float* gamma_grad,
                         float* beta_grad, float* dx, float leaky_alpha) {
  // Σ dy into sums[j] and Σ dy · (x - μ) into sums[C + j]; Σ dy · x̂ is the latter / σ.
  const Affine f{s.scale.data(), s.shift.data(), leaky_alpha};
  sum_rows(m, c, 2 * c, s.partial, s.sums,
           [&](size_t r0, size_t r1, float* acc) { add_gradient_sums(dy, x, s.mean.data(), f, r0, r1, c, acc); });
  for (size_t j = 0; j < c; ++j) {
    beta_grad[j] += static_cast<float>(s.sums[j]);
    gamma_grad[j] += static_cast<float>(s.sums[c + j] * s.inv_std[j]);
  }
  if (!dx) return;
  if (!s.training) {
    // The moving statistics are constants: y is just x · scale + shift.
    for_row_chunks(m, c, [&](size_t r0, size_t r1) { input_gradient(dy, x, f, nullptr, nullptr, nullptr, r0, r1, c, dx); });
    return;
  }
  // dx = γ/σ · (dy - mean(dy) - x̂ · mean(dy · x̂)), with the per-channel constants folded:
  //    = scale · dy + slope · (x - μ) + offset
  //    slope = -scale · mean(dy · x̂) / σ,   offset = -scale · mean(dy)
  s.dx_coefficients.resize(2 * c);
  float* slope = s.dx_coefficients.data();
  float* offset = s.dx_coefficients.data() + c;
  for (size_t j = 0; j < c; ++j) {
    const double mean_dy = s.sums[j] / static_cast<double>(m);
    const double mean_dy_xhat = s.sums[c + j] * s.inv_std[j] / static_cast<double>(m);
    slope[j] = static_cast<float>(-s.scale[j] * mean_dy_xhat * s.inv_std[j]);
    offset[j] = static_cast<float>(-s.scale[j] * mean_dy);
  }
  for_row_chunks(m, c, [&](size_t r0, size_t r1) { input_gradient(dy, x, f, slope, s.mean.data(), offset, r0, r1, c, dx); });
}

}  // namespace nn
