#include "losses/categorical_crossentropy.h"

#include <algorithm>
#include <cmath>

namespace nn::losses {
namespace {

// Keras's clip bounds, as the float32 numbers TensorFlow compares with.
constexpr double kLow = kProbabilityEpsilon;
constexpr double kHigh = 1.0f - kProbabilityEpsilon;

bool inside_clip(double q) { return q >= kLow && q <= kHigh; }  // TF passes the gradient at the bounds

double row_sum(const float* p, size_t k) {
  double s = 0;
  for (size_t j = 0; j < k; ++j) s += p[j];
  return s;
}

// The largest logit and log Σ e^(z - max): lse(z) = max + log_sum.   z: (k)
struct LogSumExp {
  double max = 0, log_sum = 0;
  double lse() const { return max + log_sum; }
};
LogSumExp log_sum_exp(const float* z, size_t k) {
  LogSumExp r;
  r.max = *std::max_element(z, z + k);  // e^(z - max) <= 1: cannot overflow
  double s = 0;
  for (size_t j = 0; j < k; ++j) s += std::exp(static_cast<double>(z[j]) - r.max);
  r.log_sum = std::log(s);
  return r;
}

}  // namespace

float CategoricalCrossentropy::value(const Tensor& y_pred, const Tensor& y_true) const {
  check_shapes(y_pred, y_true);
  const size_t k = last_axis(y_pred), rows = positions(y_pred);
  double sum = 0.0;
  for (size_t r = 0; r < rows; ++r) {
    const float* p = y_pred.data() + r * k;
    const float* y = y_true.data() + r * k;
    const double s = row_sum(p, k);  // rescale so the row sums to 1, as Keras does
    for (size_t j = 0; j < k; ++j) {
      if (y[j] == 0.0f) continue;  // 0 · log(q) contributes nothing
      sum -= static_cast<double>(y[j]) * std::log(std::clamp(p[j] / s, kLow, kHigh));
    }
  }
  return static_cast<float>(sum / static_cast<double>(rows));
}

void CategoricalCrossentropy::gradient(const Tensor& y_pred, const Tensor& y_true, Tensor& grad) const {
  check_shapes(y_pred, y_true);
  grad.resize(y_pred.shape());
  const size_t k = last_axis(y_pred), rows = positions(y_pred);
  const double inv_rows = 1.0 / static_cast<double>(rows);
  for (size_t r = 0; r < rows; ++r) {
    const float* p = y_pred.data() + r * k;
    const float* y = y_true.data() + r * k;
    float* g = grad.data() + r * k;
    const double s = row_sum(p, k);
    // The rescaling's share: every p_j is in S, so each gets Σ_k y_k m_k / S.
    double through_sum = 0;
    for (size_t j = 0; j < k; ++j)
      if (inside_clip(p[j] / s)) through_sum += y[j];
    through_sum /= s;
    for (size_t j = 0; j < k; ++j) {
      const double own = y[j] != 0.0f && inside_clip(p[j] / s) ? y[j] / static_cast<double>(p[j]) : 0.0;
      g[j] = static_cast<float>((through_sum - own) * inv_rows);
    }
  }
}

float CategoricalCrossentropy::value_from_logits(const Tensor& z, const Tensor& y_true) const {
  check_shapes(z, y_true);
  const size_t k = last_axis(z), rows = positions(z);
  double sum = 0.0;
  for (size_t r = 0; r < rows; ++r) {
    const float* zr = z.data() + r * k;
    const float* y = y_true.data() + r * k;
    const double lse = log_sum_exp(zr, k).lse();
    for (size_t j = 0; j < k; ++j)
      if (y[j] != 0.0f) sum += static_cast<double>(y[j]) * (lse - zr[j]);  // -y log softmax(z)
  }
  return static_cast<float>(sum / static_cast<double>(rows));
}

void CategoricalCrossentropy::gradient_from_logits(const Tensor& z, const Tensor& y_true, Tensor& dz) const {
  check_shapes(z, y_true);
  dz.resize(z.shape());
  const size_t k = last_axis(z), rows = positions(z);
  const double inv_rows = 1.0 / static_cast<double>(rows);
  for (size_t r = 0; r < rows; ++r) {
    const float* zr = z.data() + r * k;
    const LogSumExp l = log_sum_exp(zr, k);
    for (size_t j = 0; j < k; ++j) {
      const double p = std::exp(static_cast<double>(zr[j]) - l.lse());  // softmax(z)_j
      dz[r * k + j] = static_cast<float>((p - y_true[r * k + j]) * inv_rows);
    }
  }
}

// One-hot rows (or soft labels) sum to 1: anything else is almost always class ids or
// unscaled numbers passed by mistake. A per-pixel output has one row per pixel.
void CategoricalCrossentropy::check_targets(const Tensor& y_true, const std::string& where) const {
  check_probabilities(y_true, where);
  const size_t k = last_axis(y_true), rows = positions(y_true);
  const size_t per_sample = y_true.rank() && y_true.dim(0) ? rows / static_cast<size_t>(y_true.dim(0)) : 1;
  for (size_t r = 0; r < rows; ++r) {
    const double sum = row_sum(y_true.data() + r * k, k);
    if (std::abs(sum - 1.0) <= 1e-3) continue;
    const std::string row = per_sample > 1 ? "position " + std::to_string(r % per_sample) + " of sample " +
                                                 std::to_string(r / per_sample)
                                           : "sample " + std::to_string(r);
    throw ValueError(where + ": categorical_crossentropy needs one-hot targets (each row of the last axis sums to 1), "
                     "but the row of " + row + " sums to " + std::to_string(sum) +
                     "; encode class ids with nn::data::to_categorical(ids, " + std::to_string(k) +
                     "), or use binary_crossentropy when several classes can be true at once");
  }
}

}  // namespace nn::losses
