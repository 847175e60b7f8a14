#include "layers/batch_norm.h"

#include <algorithm>
#include <cmath>

#include "kernels/elementwise.h"
#include "kernels/thread_pool.h"

namespace nn::layers {
namespace {

// Rows per chunk: about 16K numbers, whatever C is (a chunk of a (32768, 32) conv output
// is 512 rows). The size depends only on C, never on the thread count.
size_t rows_per_chunk(size_t channels) { return std::max<size_t>(1, kParallelThreshold / 4 / channels); }

// Calls body(r0, r1) over the rows [0, rows) of a (rows, channels) block, in chunks of
// rows_per_chunk rows; on the thread pool when the block is large.
void for_row_chunks(size_t rows, size_t channels, const std::function<void(size_t, size_t)>& body) {
  if (rows * channels < kParallelThreshold)
    body(0, rows);
  else
    parallel_for(rows, rows_per_chunk(channels), body);
}

// sums[j] = Σ_r (row r's contribution j), for j < width, in an order fixed by (rows,
// channels) alone: chunk k accumulates its rows into partial[k·width ...] in float, then
// the chunks are added in order, in double. add_row(r, acc) adds row r into acc[0..width).
template <class AddRow>
void sum_rows(size_t rows, size_t channels, size_t width, std::vector<float>& partial, std::vector<double>& sums,
              const AddRow& add_row) {
  const size_t chunk = rows_per_chunk(channels);
  const size_t chunks = (rows + chunk - 1) / chunk;
  partial.resize(chunks * width);  // keeps its capacity: no allocation in steady state
  auto body = [&](size_t k0, size_t k1) {
    for (size_t k = k0; k < k1; ++k) {
      float* acc = partial.data() + k * width;
      std::fill(acc, acc + width, 0.0f);
      for (size_t r = k * chunk; r < std::min(rows, (k + 1) * chunk); ++r) add_row(r, acc);
    }
  };
  if (rows * channels < kParallelThreshold)
    body(0, chunks);
  else
    parallel_for(chunks, 1, body);
  sums.assign(width, 0.0);
  for (size_t k = 0; k < chunks; ++k)
    for (size_t j = 0; j < width; ++j) sums[j] += partial[k * width + j];
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
    sum_rows(m, c, 2 * c, partial_, sums_, [&](size_t r, float* acc) {
      const float* row = xs + r * c;
      for (size_t j = 0; j < c; ++j) {
        const float d = row[j] - shift[j];
        acc[j] += d;
        acc[c + j] += d * d;
      }
    });
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
  float* ys = y.data();
  for_row_chunks(m, c, [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; ++r) {
      const float* xr = xs + r * c;
      float* yr = ys + r * c;
      for (size_t j = 0; j < c; ++j) yr[j] = xr[j] * scale_[j] + shift_[j];
    }
  });
}

void BatchNormalization::backward(const Tensor& dy, Tensor& dx) {
  const size_t c = static_cast<size_t>(channels_), m = dy.size() / c;
  const float* xs = x_->data();
  const float* dys = dy.data();
  // Σ dy into sums_[j] and Σ dy · (x - μ) into sums_[C + j]; Σ dy · x̂ is the latter / σ.
  sum_rows(m, c, 2 * c, partial_, sums_, [&](size_t r, float* acc) {
    const float* xr = xs + r * c;
    const float* dr = dys + r * c;
    for (size_t j = 0; j < c; ++j) {
      acc[j] += dr[j];
      acc[c + j] += dr[j] * (xr[j] - mean_[j]);
    }
  });
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
      for (size_t r = r0; r < r1; ++r)
        for (size_t j = 0; j < c; ++j) dxs[r * c + j] = dys[r * c + j] * scale_[j];
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
    for (size_t r = r0; r < r1; ++r) {
      const float* xr = xs + r * c;
      const float* dr = dys + r * c;
      float* out = dxs + r * c;
      for (size_t j = 0; j < c; ++j) out[j] = scale_[j] * dr[j] + slope[j] * (xr[j] - mean_[j]) + offset[j];
    }
  });
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
