#include "layers/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <typeinfo>

#include "kernels/elementwise.h"
#include "kernels/simd_clones.h"
#include "kernels/thread_pool.h"
#include "layers/leaky_relu.h"
#include "layers/row_sums.h"

namespace nn::layers {
namespace {

// Calls body(r0, r1) over the rows [0, rows) of a (rows, channels) block, in chunks of
// rows_per_chunk rows; on the thread pool when the block is large.
void for_row_chunks(size_t rows, size_t channels, const std::function<void(size_t, size_t)>& body) {
  if (rows * channels < kLayerParallelThreshold)
    body(0, rows);
  else
    parallel_for(rows, rows_per_chunk(channels), body);
}

// The passes over the (m, C) data, as plain loops over raw pointers. `__restrict` promises
// the compiler that the arrays do not overlap, so it can keep the per-channel constants in
// registers and vectorise without run-time overlap checks. NN_SIMD_CLONES compiles each
// pass for AVX-512, AVX2 and plain x86-64 and the best one the CPU has is picked when the
// program loads (as Adam does), so the default build still runs on any x86-64 CPU.
//
// The two sums below run over a block of 16 channels at a time, down all the rows of the
// chunk, into local arrays the compiler keeps in registers. Adding row after row straight
// into acc[] in memory instead makes every addition wait for the previous row's store to
// land (a chain through memory): ~3× slower. The order of the additions is the same.
// `#pragma GCC unroll 1` keeps g++ from first unrolling the 16-step loop into 16 scalar
// statements, which it then fails to turn back into vector code (measured: 4× slower with
// AVX-512); left as a loop, it becomes one 16-wide vector operation per row.
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
// alpha = 1 (the identity) unless a LeakyReLU was absorbed.
struct Affine {
  const float* scale;
  const float* shift;
  float alpha;
};

// dL/d(x · scale + shift) from the dL/dy that reached this layer: the absorbed LeakyReLU's
// backward, its slope read from the sign of x · scale + shift — the same number forward
// computed, so the same choice as LeakyReLU's own backward makes from its output.
inline float undo_leaky(float d, float x, float scale, float shift, float alpha) {
  return leaky_relu_backward(d, x * scale + shift > 0.0f, alpha);
}

// acc[j] += Σ_r g[r][j],  acc[C + j] += Σ_r g[r][j] · (x[r][j] - mean[j]),
// g = dy through the absorbed LeakyReLU's backward (g = dy when there is none)
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
// with g = dy through the absorbed LeakyReLU's backward, as in add_gradient_sums.
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

}  // namespace

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : LayerBase("batch_normalization"), momentum_(options.momentum), epsilon_(options.epsilon) {
  if (!(momentum_ >= 0.0f && momentum_ <= 1.0f))
    throw ValueError("BatchNormalization: momentum must be in [0, 1] (Keras uses 0.99), got " +
                     std::to_string(momentum_));
  if (!(epsilon_ > 0.0f) || !std::isfinite(epsilon_))
    throw ValueError("BatchNormalization: epsilon must be a small positive number (Keras uses 0.001), got " +
                     std::to_string(epsilon_));
}

Shape BatchNormalization::build(const Shape& in) {
  if (in.empty()) throw ShapeError("BatchNormalization needs samples with at least one axis, got " + shape_str(in));
  channels_ = in.back();
  gamma_.value = Tensor({channels_}, 1.0f);
  beta_.value = Tensor({channels_});
  moving_mean_.value = Tensor({channels_});
  moving_variance_.value = Tensor({channels_}, 1.0f);
  for (Param* p : params()) p->grad = Tensor({channels_});
  const size_t c = static_cast<size_t>(channels_);
  mean_.assign(c, 0.0f);
  inv_std_.assign(c, 0.0f);
  scale_.assign(c, 0.0f);
  shift_.assign(c, 0.0f);
  dx_coefficients_.assign(2 * c, 0.0f);
  return in;
}

void BatchNormalization::forward(const Tensor& x, Tensor& y, bool training) {
  check_input(x);
  const size_t c = static_cast<size_t>(channels_), m = x.size() / c;
  y.resize(x.shape());
  x_ = &x;
  last_training_ = training;
  if (m == 0) return;
  const float* xs = x.data();
  if (training) {
    // μ and σ² in one pass over x, with the "shifted data" formulas
    //   μ = K + E[x - K],   σ² = E[(x - K)²] - (E[x - K])²,
    // exact for any shift K. Without a shift (K = 0) the subtraction cancels catastrophically
    // when |μ| ≫ σ; with K = the batch's first row, which is one of the values being
    // averaged, K - μ is about one σ and nothing of note is lost.
    const float* shift = xs;
    sum_rows(m, c, 2 * c, partial_, sums_,
             [&](size_t r0, size_t r1, float* acc) { add_shifted_moments(xs, shift, r0, r1, c, acc); });
    float* moving_mean = moving_mean_.value.data();
    float* moving_var = moving_variance_.value.data();
    for (size_t j = 0; j < c; ++j) {
      const double mean_shifted = sums_[j] / static_cast<double>(m);
      // biased (divided by m), see the header; rounding could leave a tiny negative
      const double var = std::max(0.0, sums_[c + j] / static_cast<double>(m) - mean_shifted * mean_shifted);
      mean_[j] = static_cast<float>(shift[j] + mean_shifted);
      inv_std_[j] = static_cast<float>(1.0 / std::sqrt(var + epsilon_));
      // Keras writes the update as  moving -= (moving - batch) · (1 - momentum).
      moving_mean[j] -= (moving_mean[j] - mean_[j]) * (1.0f - momentum_);
      moving_var[j] -= (moving_var[j] - static_cast<float>(var)) * (1.0f - momentum_);
    }
  } else {
    for (size_t j = 0; j < c; ++j) {
      mean_[j] = moving_mean_.value[j];
      inv_std_[j] = 1.0f / std::sqrt(moving_variance_.value[j] + epsilon_);
    }
  }
  // y = γ (x - μ) / σ + β  =  x · scale + shift, one multiply-add per number.
  for (size_t j = 0; j < c; ++j) {
    scale_[j] = gamma_.value[j] * inv_std_[j];
    shift_[j] = beta_.value[j] - mean_[j] * scale_[j];
  }
  // (With a LeakyReLU absorbed, y is already its output.)
  float* ys = y.data();
  const Affine f{scale_.data(), shift_.data(), absorbed_alpha_};
  for_row_chunks(m, c, [&](size_t r0, size_t r1) { scale_shift(xs, f, r0, r1, c, ys); });
}

void BatchNormalization::backward(const Tensor& dy, Tensor& dx) {
  const size_t c = static_cast<size_t>(channels_), m = dy.size() / c;
  const float* xs = x_->data();
  const float* dys = dy.data();
  // Σ dy into sums_[j] and Σ dy · (x - μ) into sums_[C + j]; Σ dy · x̂ is the latter / σ.
  // (With a LeakyReLU absorbed, dy arrives as its dL/dy; the passes undo its slope first.)
  const Affine f{scale_.data(), shift_.data(), absorbed_alpha_};
  sum_rows(m, c, 2 * c, partial_, sums_,
           [&](size_t r0, size_t r1, float* acc) { add_gradient_sums(dys, xs, mean_.data(), f, r0, r1, c, acc); });
  for (size_t j = 0; j < c; ++j) {
    beta_.grad[j] += static_cast<float>(sums_[j]);
    gamma_.grad[j] += static_cast<float>(sums_[c + j] * inv_std_[j]);
  }
  if (!input_gradient_needed()) return;
  dx.resize(dy.shape());
  float* dxs = dx.data();
  if (!last_training_) {
    // The moving statistics are constants: y is just x · scale + shift.
    for_row_chunks(m, c, [&](size_t r0, size_t r1) {
      input_gradient(dys, xs, f, nullptr, nullptr, nullptr, r0, r1, c, dxs);
    });
    return;
  }
  // dx = γ/σ · (dy - mean(dy) - x̂ · mean(dy · x̂)), with the per-channel constants folded:
  //    = scale · dy + slope · (x - μ) + offset
  //    slope = -scale · mean(dy · x̂) / σ,   offset = -scale · mean(dy)
  float* slope = dx_coefficients_.data();
  float* offset = dx_coefficients_.data() + c;
  for (size_t j = 0; j < c; ++j) {
    const double mean_dy = sums_[j] / static_cast<double>(m);
    const double mean_dy_xhat = sums_[c + j] * inv_std_[j] / static_cast<double>(m);
    slope[j] = static_cast<float>(-scale_[j] * mean_dy_xhat * inv_std_[j]);
    offset[j] = static_cast<float>(-scale_[j] * mean_dy);
  }
  for_row_chunks(m, c, [&](size_t r0, size_t r1) {
    input_gradient(dys, xs, f, slope, mean_.data(), offset, r0, r1, c, dxs);
  });
}

bool BatchNormalization::can_absorb(const Layer& next) const {
  // Exactly a LeakyReLU: a class derived from it (a student's variant) may compute something
  // else, and its own forward and backward must run.
  return typeid(next) == typeid(LeakyReLU);
}

void BatchNormalization::absorb(const Layer* next) {
  absorbed_alpha_ = next && can_absorb(*next) ? static_cast<const LeakyReLU*>(next)->alpha() : 1.0f;
}

double BatchNormalization::forward_flops() const {
  // One multiply-add per number once the statistics are known.
  return 2.0 * static_cast<double>(shape_size(input_shape()));
}

std::string BatchNormalization::explain_params() const {
  return "4 per channel × " + std::to_string(channels_) +
         " channels (gamma, beta trainable; moving mean, moving variance not)";
}

}  // namespace nn::layers
