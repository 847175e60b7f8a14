// Finite-difference gradient checking: the slow, obvious way to get a gradient, used to
// verify every hand-written backward pass (the library's tests and the exercises share it).
//
// For a layer we check the scalar L = Σ_i r_i · y_i, with r a fixed random tensor, so
// dL/dy = r exactly and backward(r) must produce dL/dx and dL/dθ. Each numerical estimate
// is a central difference
//     dL/dv ≈ (L(v + h) - L(v - h)) / 2h,
// whose truncation error is O(h²). The forward pass runs in float32, so L carries a
// rounding error of about 1e-7·Σ|r_i y_i|; dividing by 2h = 2e-2 turns that into ~1e-5·|L|
// of noise. We therefore accept |analytic - numeric| ≤ atol + rtol·max(|analytic|, |numeric|)
// with atol = 2e-3 and rtol = 2e-2: loose enough for float32 noise, yet a missing factor,
// a wrong sign, a transposed index or a forgotten term is off by far more than that.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nn.h"

namespace gradcheck {

constexpr double kStep = 1e-2;
constexpr double kAtol = 2e-3;
constexpr double kRtol = 2e-2;

inline bool close(double analytic, double numeric) {
  return std::abs(analytic - numeric) <= kAtol + kRtol * std::max(std::abs(analytic), std::abs(numeric));
}

struct Mismatch {
  std::string what;  // "dx", "dkernel", ...
  size_t index;
  double analytic, numeric;
};

struct Report {
  size_t checked = 0;
  std::vector<Mismatch> mismatches;
  bool ok() const { return checked > 0 && mismatches.empty(); }
};

inline nn::Tensor random_tensor(const nn::Shape& shape, nn::Rng& rng, float scale = 1.0f) {
  nn::Tensor t(shape);
  for (float& v : t) v = rng.uniform(-scale, scale);
  return t;
}

// Σ r·y in double.
inline double projected(const nn::Tensor& y, const nn::Tensor& r) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * r[i];
  return s;
}

// Compares backward's dx and every trainable parameter gradient of `layer` (already built)
// with central differences at input x. `training` is passed to forward.
inline Report layer_report(nn::Layer& layer, const nn::Tensor& x_in, uint64_t seed, bool training = true) {
  Report report;
  nn::Rng rng(seed);
  nn::Tensor x = x_in, y, dx;
  layer.forward(x, y, training);
  const nn::Tensor r = random_tensor(y.shape(), rng);
  for (nn::Param* p : layer.params()) p->grad.fill(0.0f);
  layer.set_input_gradient_needed(true);
  layer.backward(r, dx);
  if (dx.shape() != x.shape()) {
    report.mismatches.push_back({"dx has shape " + nn::shape_str(dx.shape()) + ", x has " + nn::shape_str(x.shape()), 0, 0, 0});
    return report;
  }
  const nn::Tensor analytic_dx = dx;
  std::vector<nn::Tensor> analytic_grads;
  for (nn::Param* p : layer.params()) analytic_grads.push_back(p->grad);

  auto loss_at = [&]() {
    nn::Tensor out;
    layer.forward(x, out, training);
    return projected(out, r);
  };
  auto check_values = [&](float* values, size_t n, const nn::Tensor& analytic, const std::string& what) {
    for (size_t i = 0; i < n; ++i) {
      const float saved = values[i];
      values[i] = saved + static_cast<float>(kStep);
      const double up = loss_at();
      values[i] = saved - static_cast<float>(kStep);
      const double down = loss_at();
      values[i] = saved;
      const double numeric = (up - down) / (2 * kStep);
      ++report.checked;
      if (!close(analytic[i], numeric)) report.mismatches.push_back({what, i, analytic[i], numeric});
    }
  };
  check_values(x.data(), x.size(), analytic_dx, "dx");
  auto params = layer.params();
  for (size_t k = 0; k < params.size(); ++k)
    if (params[k]->trainable)
      check_values(params[k]->value.data(), params[k]->value.size(), analytic_grads[k], "d" + params[k]->name);
  return report;
}

// Compares loss.gradient with central differences of loss.value.
inline Report loss_report(const nn::losses::Loss& loss, const nn::Tensor& y_pred, const nn::Tensor& y_true) {
  Report report;
  nn::Tensor grad;
  loss.gradient(y_pred, y_true, grad);
  nn::Tensor p = y_pred;
  for (size_t i = 0; i < p.size(); ++i) {
    const float saved = p[i];
    const float h = 1e-3f;  // probabilities live in (0, 1): a smaller step stays inside
    p[i] = saved + h;
    const double up = loss.value(p, y_true);
    p[i] = saved - h;
    const double down = loss.value(p, y_true);
    p[i] = saved;
    const double numeric = (up - down) / (2.0 * h);
    ++report.checked;
    if (!close(grad[i], numeric)) report.mismatches.push_back({"dL/dy_pred", i, grad[i], numeric});
  }
  return report;
}

}  // namespace gradcheck
